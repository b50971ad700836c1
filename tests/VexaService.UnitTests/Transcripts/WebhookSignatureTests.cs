using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using VexaService.Transcripts.Webhooks;

namespace VexaService.UnitTests.Transcripts;

public class WebhookSignatureTests
{
    [Fact]
    public void Signature_is_hex_hmac_sha256_of_the_body_with_the_users_secret()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            WebhookSignature.Compute("Jefe", Encoding.UTF8.GetBytes("what do ya want for nothing?")));
    }

    [Fact]
    public void The_standard_signature_matches_the_specifications_example()
    {
        // The example of the Standard Webhooks specification (and Svix's documentation).
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.ComputeStandard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                Encoding.UTF8.GetBytes("""{"test": 2432232314}""")));
    }

    [Theory]
    [InlineData("user-webhook-secret-0123456789")] // a plain secret: the library is given whsec_ + its base64
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")] // a secret written the standard way
    public void A_standard_webhooks_library_accepts_the_signature_and_refuses_a_changed_body(string secret)
    {
        const string body = """{"event_type":"meeting.status_change","meeting":{"id":7}}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var headers = new HeaderDictionary
        {
            [WebhookSignature.IdHeader] = WebhookSignature.WebhookId(42),
            [WebhookSignature.TimestampHeader] = timestamp.ToString(),
            [WebhookSignature.SignatureHeader] = WebhookSignature.ComputeStandard(secret, WebhookSignature.WebhookId(42), timestamp, Encoding.UTF8.GetBytes(body)),
        };
        var libraryKey = secret.StartsWith("whsec_") ? secret : "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        var verifier = new StandardWebhook(libraryKey);

        verifier.Verify(body, headers); // throws when it does not verify
        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(body.Replace("7", "8"), headers));
        headers[WebhookSignature.IdHeader] = WebhookSignature.WebhookId(43);
        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(body, headers));
    }
}
