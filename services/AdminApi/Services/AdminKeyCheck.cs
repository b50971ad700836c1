using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace VexaService.AdminApi.Services;

/// <summary>Compares X-Admin-API-Key with the configured key in constant time (hashes equalise the lengths).</summary>
public sealed class AdminKeyCheck(IOptions<AdminOptions> options)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));

    public bool IsValid(string? presented) =>
        !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
