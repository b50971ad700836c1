using System.Security.Cryptography;
using System.Text;

namespace VexaService.Keys;

/// <summary>API tokens are stored and cached only as this hash; the plaintext never rests anywhere.</summary>
public static class ApiKeyHash
{
    public static string Compute(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
