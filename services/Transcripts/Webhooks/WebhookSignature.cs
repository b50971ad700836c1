using System.Security.Cryptography;
using System.Text;

namespace VexaService.Transcripts.Webhooks;

/// <summary><c>X-Vexa-Signature: sha256=&lt;hex HMAC-SHA256 of the body with the user's webhook secret&gt;</c>.</summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Vexa-Signature";

    public static string Compute(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
