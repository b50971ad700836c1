using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Gateway.Caching;

namespace VexaService.Gateway.Auth;

/// <summary>
/// What the gateway needs from Redis for one request, in one round trip (one script): the key's cached lookup, its
/// rate-limit count, and for a plain transcript read the tag of the cached response (<see cref="TranscriptRouteCache"/>),
/// which is looked up under the cached user's id inside the script. The script builds that key itself, so it needs a
/// single Redis server (not Redis Cluster), which is what the AppHost provisions.
/// If Redis is unreachable nothing is cached and the request is allowed (fail open): an outage of the cache must not
/// take the API down; keys are then checked in PostgreSQL and the limit returns with Redis.
/// </summary>
public sealed class EdgeLookup(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, TimeProvider time,
    UserReadCache reads, ILogger<EdgeLookup> logger)
{
    private const string Script = """
        local user = redis.call('GET', KEYS[1])
        local count = 0
        if ARGV[1] ~= '0' then
          count = redis.call('INCR', KEYS[2])
          if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
        end
        local tag = false
        local generation = false
        local reads = ARGV[4] ~= nil
        if user and user ~= '0' and (ARGV[2] ~= '' or reads) then
          local id = string.match(user, '^(%d+):')
          if id and ARGV[2] ~= '' then
            tag = redis.call('GET', ARGV[3] .. id .. ':' .. ARGV[2])
          end
          if id and reads and not tag then
            generation = redis.call('GET', ARGV[4] .. id)
            if not generation then
              generation = ARGV[5]
              redis.call('SET', ARGV[4] .. id, generation, 'PX', ARGV[6])
            end
          end
        end
        return {user, count, tag, generation}
        """;

    /// <param name="tokenHash">The key's hash (the plaintext goes no further than the gateway's edge).</param>
    /// <param name="transcriptRoute"><see cref="TranscriptRouteCache.Route"/> of a plain transcript read, else null.</param>
    /// <param name="userRead">A read the gateway may keep (<see cref="UserReadCache"/>): the cached user's read
    /// generation comes back too, set to a new token when there is none (<see cref="UserReads"/>), unless a completed
    /// transcript's tag answers the read already.</param>
    public async Task<EdgeState> ReadAsync(string tokenHash, string? transcriptRoute, bool userRead = false)
    {
        var limit = options.Value.PermitLimit;
        var windowMs = limit > 0 ? (long)options.Value.Window.TotalMilliseconds : 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = windowMs > 0 ? now - now % windowMs : now;
        try
        {
            // The window's length is part of the counter's key: replicas configured with different windows (a rollout)
            // must not add to each other's counts whenever their window starts coincide.
            // A read the gateway may keep passes three more arguments: the generation's prefix, a token in case there is
            // none, and its lifetime.
            RedisValue[] arguments = userRead
                ? [windowMs, transcriptRoute ?? "", RedisKeys.TranscriptRoutePrefix, RedisKeys.UserReadsGenerationPrefix,
                    RandomTokens.New(), (long)UserReads.GenerationLifetime.TotalMilliseconds]
                : [windowMs, transcriptRoute ?? "", RedisKeys.TranscriptRoutePrefix];
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script,
                [RedisKeys.AuthToken(tokenHash), RedisKeys.RateLimit(tokenHash, windowMs, windowStart)], arguments))!;
            var count = (long)result[1];
            int? retryAfter = windowMs > 0 && count > limit ? (int)Math.Ceiling((windowStart + windowMs - now) / 1000.0) : null;
            return new EdgeState((RedisValue)result[0], retryAfter, result[2].IsNull ? null : (string?)result[2],
                result[3].IsNull ? null : (string?)result[3]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable at the gateway's edge (keys checked in PostgreSQL, no rate limit, no kept reads): {Message}", e.Message);
            reads.Clear();
            return new EdgeState(RedisValue.Null, null, null, null);
        }
    }
}

/// <param name="CachedUser">The cached lookup of the key ("0" = unknown key), or no value on a miss.</param>
/// <param name="RetryAfterSeconds">Set when the key is over its rate limit.</param>
/// <param name="TranscriptTag">The tag of a plain transcript read's cached response, when the cached user has one.</param>
/// <param name="ReadGeneration">The cached user's read generation, when asked for (<see cref="UserReads"/>).</param>
public readonly record struct EdgeState(RedisValue CachedUser, int? RetryAfterSeconds, string? TranscriptTag, string? ReadGeneration);
