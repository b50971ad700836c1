using System.Text;
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
}
