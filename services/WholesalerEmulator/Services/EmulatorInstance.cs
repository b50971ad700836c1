using System.Security.Cryptography;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// This process's identity, sent as <c>X-Wholesaler-Instance</c> on every answer and webhook. The emulator keeps its
/// meetings in memory and numbers them from 1 again after a restart, so an id means something only together with
/// the instance that issued it; the Retailer records both.
/// </summary>
public sealed class EmulatorInstance
{
    public const string HeaderName = "X-Wholesaler-Instance";

    public string Id { get; } = RandomNumberGenerator.GetHexString(16, lowercase: true);
}
