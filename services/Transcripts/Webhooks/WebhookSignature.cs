using System.Security.Cryptography;
using System.Text;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// How a delivery proves it is ours, when the user set a webhook secret:
/// <list type="bullet">
/// <item><c>X-Vexa-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>, keyed with the secret's UTF-8 bytes, for
/// receivers written against this service before the standard headers.</item>
/// <item>Standard Webhooks (<see href="https://www.standardwebhooks.com/"/>): <c>webhook-id</c> (the same for every
/// attempt of one event, so receivers can drop repeats), <c>webhook-timestamp</c> (Unix seconds of this attempt, so
/// receivers can refuse replays) and <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;</c>. The
/// key is the secret's UTF-8 bytes, or, for a secret written as <c>whsec_&lt;base64&gt;</c>, the bytes it encodes (the
/// form Standard Webhooks libraries take: give them <c>whsec_</c> + base64 of a plain secret).</item>
/// </list>
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Vexa-Signature";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string StandardSecretPrefix = "whsec_";

    public static string Compute(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static string ComputeStandard(string secret, string webhookId, long timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(StandardKey(secret), signed));
    }

    /// <summary>A delivery's <c>webhook-id</c>: stable across its retries, unique per event.</summary>
    public static string WebhookId(long deliveryId) => $"msg_{deliveryId}";

    private static byte[] StandardKey(string secret)
    {
        if (secret.StartsWith(StandardSecretPrefix, StringComparison.Ordinal))
        {
            var encoded = secret[StandardSecretPrefix.Length..];
            var key = new byte[encoded.Length];
            if (Convert.TryFromBase64String(encoded, key, out var written) && written > 0)
            {
                return key[..written];
            }
        }
        return Encoding.UTF8.GetBytes(secret);
    }
}
