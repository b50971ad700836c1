using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Fixed-window request counting per API key in Redis, so the limit holds across any number of gateway replicas.
/// If Redis is unreachable the request is allowed (fail open): an outage of the cache must not take the API down;
/// the limit returns with Redis.
/// </summary>
public sealed class RateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, TimeProvider time,
    ILogger<RateLimiter> logger)
{
    private static readonly LuaScript CountScript = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('PEXPIRE', @key, @windowMs) end return n");

    /// <summary>Returns null when allowed, or the seconds until the window ends when over the limit.</summary>
    public async Task<int?> CheckAsync(string tokenHash)
    {
        var limit = options.Value.PermitLimit;
        if (limit <= 0)
        {
            return null;
        }
        var windowMs = (long)options.Value.Window.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = now - now % windowMs;
        try
        {
            var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(CountScript,
                new { key = (RedisKey)$"ratelimit:{tokenHash}:{windowStart}", windowMs });
            return count <= limit ? null : (int)Math.Ceiling((windowStart + windowMs - now) / 1000.0);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable for rate limiting; allowing the request: {Message}", e.Message);
            return null;
        }
    }
}
