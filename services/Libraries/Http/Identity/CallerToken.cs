using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace VexaService.Http;

/// <summary>
/// The gateway authenticates the end user's X-API-Key once, then forwards the caller as
/// <c>X-Vexa-Caller: v1.&lt;user id&gt;.&lt;expiry unix ms&gt;.&lt;HMAC-SHA256&gt;</c>, or with the key's scopes as
/// <c>v2.&lt;user id&gt;.&lt;scope+scope&gt;.&lt;expiry&gt;.&lt;HMAC&gt;</c> (what <c>GET /auth/me</c> tells). The services accept
/// a caller only with a valid signature, so a request that bypasses the gateway cannot claim to be anybody, nor to hold
/// a scope its key does not.
/// </summary>
public sealed class CallerToken(IOptions<IdentityOptions> options, TimeProvider time)
{
    public const string HeaderName = "X-Vexa-Caller";
    private const string Version = "v1";
    private const string ScopedVersion = "v2";
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.SigningKey);
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    /// <param name="scopes">The key's scopes (names without dots or pluses), carried signed; null: not told.</param>
    public string Sign(long userId, IReadOnlyList<string>? scopes = null)
    {
        var expires = time.GetUtcNow().Add(_lifetime).ToUnixTimeMilliseconds();
        var payload = scopes is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Version}.{userId}.{expires}")
            : string.Create(CultureInfo.InvariantCulture, $"{ScopedVersion}.{userId}.{string.Join('+', scopes)}.{expires}");
        return $"{payload}.{Mac(payload)}";
    }

    public bool TryVerify(string? token, out long userId) => TryVerify(token, out userId, out _);

    public bool TryVerify(string? token, out long userId, out IReadOnlyList<string>? scopes)
    {
        (userId, scopes) = (0, null);
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        var parts = token.Split('.');
        var scoped = parts.Length == 5 && parts[0] == ScopedVersion;
        if (!(scoped || (parts.Length == 4 && parts[0] == Version))
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Mac(token[..token.LastIndexOf('.')]));
        var given = Encoding.ASCII.GetBytes(parts[^1]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)
            || time.GetUtcNow().ToUnixTimeMilliseconds() > expires)
        {
            return false;
        }
        userId = id;
        scopes = scoped ? parts[2].Split('+', StringSplitOptions.RemoveEmptyEntries) : null;
        return true;
    }

    private string Mac(string payload) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
