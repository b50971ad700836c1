using System.Security.Cryptography;
using System.Text;

namespace VexaService.Shared.Auth;

/// <summary>API tokens are stored and cached only as this hash; the plaintext never rests anywhere.</summary>
public static class ApiKeyHash
{
    public static string Compute(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Redis key of the gateway's cached lookup for a token hash (AdminApi drops it on deletion).</summary>
    public static string CacheKey(string tokenHash) => $"auth:token:{tokenHash}";
}
