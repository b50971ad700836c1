using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace VexaService.Http;

/// <summary>
/// The gateway authenticates the end user's X-API-Key once, then forwards the caller as
/// <c>X-Vexa-Caller: v1.&lt;user id&gt;.&lt;expiry unix ms&gt;.&lt;HMAC-SHA256&gt;</c>. The services accept a caller only
/// with a valid signature, so a request that bypasses the gateway cannot claim to be anybody.
/// </summary>
public sealed class CallerToken(IOptions<IdentityOptions> options, TimeProvider time)
{
    public const string HeaderName = "X-Vexa-Caller";
    private const string Version = "v1";
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.SigningKey);
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    public string Sign(long userId)
    {
        var expires = time.GetUtcNow().Add(_lifetime).ToUnixTimeMilliseconds();
        var payload = string.Create(CultureInfo.InvariantCulture, $"{Version}.{userId}.{expires}");
        return $"{payload}.{Mac(payload)}";
    }

    public bool TryVerify(string? token, out long userId)
    {
        userId = 0;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Mac(token[..token.LastIndexOf('.')]));
        var given = Encoding.ASCII.GetBytes(parts[3]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)
            || time.GetUtcNow().ToUnixTimeMilliseconds() > expires)
        {
            return false;
        }
        userId = id;
        return true;
    }

    private string Mac(string payload) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
