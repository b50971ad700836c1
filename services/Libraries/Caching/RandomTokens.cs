using System.Security.Cryptography;

namespace VexaService.Caching;

/// <summary>
/// The random tokens that name a version of shared state in Redis (a route's or a user's read generation, a stamp of the
/// running bots' copy): 128 random bits in hex, never a counter, so a token evicted and set again never equals one
/// that was read before (<see cref="TranscriptRouteCache"/>).
/// </summary>
public static class RandomTokens
{
    /// <summary>Characters in every token.</summary>
    public const int Length = 32;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length / 2));
}
