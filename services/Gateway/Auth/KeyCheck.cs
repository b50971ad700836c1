using System.Globalization;
using VexaService.Contracts;
using VexaService.Keys;
using VexaService.Observability;

namespace VexaService.Gateway.Auth;

/// <summary>
/// The one check of an end user's API key, for HTTP routes (<see cref="UserAuthenticationMiddleware"/>) and <c>/ws</c>
/// (<c>Live.LiveApi</c>), in one order: present, well-formed (a key that cannot be ours costs no lookup), its cached
/// lookup and rate limit in one Redis round trip (<see cref="EdgeLookup"/>), the client's lookup budget when the key is
/// not cached (<see cref="ClientLimits"/>), the key itself (<see cref="ApiKeyAuthenticator"/>), its scope, then its rate
/// limit. Each caller says the outcome in its own protocol (an HTTP status, or a <c>/ws</c> frame and close code).
/// </summary>
public sealed class KeyCheck(ApiKeyAuthenticator authenticator, EdgeLookup edge, ClientLimits limits, KeyUsage keyUsage)
{
    public abstract record Outcome
    {
        /// <summary>No key was sent.</summary>
        public sealed record Missing : Outcome;

        /// <summary>Not a key of ours: malformed, unknown, deleted or expired.</summary>
        public sealed record Invalid : Outcome;

        /// <summary>The client address's PostgreSQL lookups are spent for now (the key is not cached).</summary>
        public sealed record LookupsSpent(TimeSpan Wait) : Outcome;

        /// <summary>A key of ours without the scope asked for.</summary>
        public sealed record MissingScope(KeyGrant Grant, string Scope) : Outcome
        {
            public string Detail => Grant.MissingScope(Scope);
        }

        /// <summary>A key of ours over its rate limit.</summary>
        public sealed record RateLimited(int RetryAfterSeconds) : Outcome
        {
            /// <summary>The answer: 429 with <c>Retry-After</c>, counted as a key's refusal.</summary>
            public Task RefuseAsync(HttpContext context, VexaMetrics metrics)
            {
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                metrics.RateLimited("key");
                return TypedResults.Json(new ErrorBody($"Rate limit exceeded. Retry after {RetryAfterSeconds} seconds."),
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
            }
        }

        /// <summary>Let in; its use is noted. <paramref name="Hash"/> meters what the key does next (a socket's messages);
        /// <paramref name="ReadGeneration"/> is the user's read generation when a kept read was asked for.</summary>
        public sealed record Granted(KeyGrant Grant, string Hash, string? TranscriptTag, string? ReadGeneration = null) : Outcome;
    }

    /// <param name="scope">What the route needs (<see cref="ApiScopes"/>); null: any key of ours.</param>
    /// <param name="transcriptRoute">A cached transcript route to read in the same round trip (<see cref="EdgeLookup"/>).</param>
    /// <param name="userRead">A read the gateway may keep: the user's read generation is read in the same round trip.</param>
    /// <exception cref="Exception">The key could not be checked (PostgreSQL unreachable): the caller answers 503.</exception>
    public async Task<Outcome> CheckAsync(HttpContext context, string? key, string? scope, string? transcriptRoute = null, bool userRead = false)
    {
        if (string.IsNullOrEmpty(key))
        {
            return new Outcome.Missing();
        }
        if (!ApiTokenGenerator.IsWellFormed(key))
        {
            return new Outcome.Invalid();
        }
        var hash = ApiKeyHash.Compute(key);
        var state = await edge.ReadAsync(hash, transcriptRoute, userRead);
        if (!state.CachedUser.HasValue && limits.TakeLookup(context) is { } wait)
        {
            return new Outcome.LookupsSpent(wait);
        }
        var grant = await authenticator.AuthenticateAsync(hash, state.CachedUser, context.RequestAborted);
        if (grant is null)
        {
            return new Outcome.Invalid();
        }
        if (!grant.Allows(scope))
        {
            return new Outcome.MissingScope(grant, scope!);
        }
        if (state.RetryAfterSeconds is { } retryAfter)
        {
            return new Outcome.RateLimited(retryAfter);
        }
        keyUsage.Touch(grant.TokenId);
        // A generation read under a cached lookup names the cached user; it is the granted user's only if they agree.
        var generation = state.ReadGeneration is { } read && KeyGrant.FromCache(state.CachedUser)?.UserId == grant.UserId ? read : null;
        return new Outcome.Granted(grant, hash, state.TranscriptTag, generation);
    }
}
