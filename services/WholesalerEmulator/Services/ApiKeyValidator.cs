using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace VexaService.WholesalerEmulator.Services;

public enum ApiKeyCheck { Valid, Missing, Invalid }

/// <summary>Compares the X-API-Key header with the system key in constant time. An empty header counts as missing, as in FastAPI.</summary>
public sealed class ApiKeyValidator(IOptions<EmulatorOptions> options)
{
    public const string HeaderName = "X-API-Key";

    private readonly byte[] _systemKey = Encoding.UTF8.GetBytes(options.Value.SystemApiKey);

    public ApiKeyCheck Check(StringValues header)
    {
        if (header.Count == 0 || string.IsNullOrEmpty(header[0]))
        {
            return ApiKeyCheck.Missing;
        }
        var presented = Encoding.UTF8.GetBytes(header[0]!);
        return CryptographicOperations.FixedTimeEquals(presented, _systemKey) ? ApiKeyCheck.Valid : ApiKeyCheck.Invalid;
    }
}
