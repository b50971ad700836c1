using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace VexaService.Wholesaler;

/// <summary>
/// Who issued a Wholesaler meeting id. An id means something only to the Wholesaler that issued it: pointed at another
/// Wholesaler, or at one that lost its state and numbers from 1 again (the bundled emulator after a restart), the same
/// number names another meeting. The issuer is the Wholesaler's address plus, where it reports one, its instance
/// (header <see cref="InstanceHeader"/>); every mapping records it and every lookup by Wholesaler id compares it.
/// </summary>
public sealed class WholesalerIdentity(IConfiguration configuration, IOptions<WholesalerOptions> options)
{
    public const string InstanceHeader = "X-Wholesaler-Instance";

    // The address the AppHost resolved (service discovery), else the configured one.
    private readonly string _address = (configuration["services:wholesaler:https:0"] ?? configuration["services:wholesaler:http:0"]
        ?? options.Value.BaseAddress).TrimEnd('/');

    /// <summary>The Wholesaler's address: the issuer of every id it hands out, whatever instance it reports.</summary>
    public string Address => _address;

    public string IssuerFor(string? instance) => string.IsNullOrWhiteSpace(instance) ? _address : $"{_address}#{instance.Trim()}";

    public string IssuerFor(IEnumerable<string>? instanceHeaderValues) => IssuerFor(instanceHeaderValues?.FirstOrDefault());
}
