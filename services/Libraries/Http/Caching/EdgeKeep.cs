using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace VexaService.Http.Caching;

/// <summary>
/// How a service tells the gateway that an answer may be kept in its per-user read cache, and for how long: only the
/// service knows whether what it answered changes with nothing but a write to the caller's meetings (a list of them)
/// or with time too (usage of a bot still running, the Wholesaler's running bots). The gateway keeps such an answer
/// under the caller's read generation, which every write to the caller's meetings renews, and never passes the header on.
/// </summary>
public static class EdgeKeep
{
    public const string HeaderName = "X-Vexa-Edge-Keep-Ms";

    /// <summary>Any answer that depends on nothing but the caller's rows: as long as the gateway keeps anything.</summary>
    public static readonly TimeSpan UntilChanged = TimeSpan.FromSeconds(60);

    /// <summary>Marks this answer as one the gateway may keep for <paramref name="keep"/> (nothing when not positive).</summary>
    public static void For(HttpContext context, TimeSpan keep)
    {
        if (keep > TimeSpan.Zero)
        {
            context.Response.Headers[HeaderName] = ((long)keep.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>What a service said (and <c>null</c> when it said nothing or nonsense).</summary>
    public static TimeSpan? Read(IHeaderDictionary headers) =>
        long.TryParse(headers[HeaderName], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms) : null;
}
