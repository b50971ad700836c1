using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Observability;

namespace VexaService.Wholesaler;

/// <summary>
/// The budget of Wholesaler calls that every replica of every service shares: to the Wholesaler we are one user with
/// one rate limit. A token bucket in Redis (<see cref="WholesalerOptions.BudgetBurst"/> at once, refilled at
/// <see cref="WholesalerOptions.BudgetPerSecond"/>), plus the Wholesaler's own word: after it answers 429 no replica calls
/// before its <c>Retry-After</c> has passed. Without Redis each call passes (the Wholesaler's 429s still count):
/// a cache outage must not stop the service.
/// </summary>
public sealed class WholesalerBudget(IConnectionMultiplexer redis, IOptions<WholesalerOptions> options, TimeProvider time,
    Generations.CurrentGeneration generation, VexaMetrics metrics, ILogger<WholesalerBudget> logger)
{
    /// <summary>The configured budget, else the known generation's, else the smallest of all (until it is known).</summary>
    public (double PerSecond, int Burst) Limits()
    {
        var o = options.Value;
        var known = generation.Known;
        var perSecond = o.BudgetPerSecond ?? known?.BudgetPerSecond ?? Generations.WholesalerGenerations.All.Min(g => g.BudgetPerSecond);
        var burst = o.BudgetBurst ?? known?.BudgetBurst ?? Generations.WholesalerGenerations.All.Min(g => g.BudgetBurst);
        return (perSecond, burst);
    }

    private readonly string _bucketKey = RedisKeys.WholesalerBudget(options.Value.RedisScope());
    private readonly string _throttledKey = RedisKeys.WholesalerThrottledUntil(options.Value.RedisScope());

    // KEYS[1] bucket, KEYS[2] throttled-until; ARGV: now (ms), burst, per second, reserve (the calls a background call
    // must leave in the bucket). Returns {0 when a call may go, else the milliseconds until one may; the whole calls left}.
    private static readonly LuaScript Take = LuaScript.Prepare("""
        local throttled = tonumber(redis.call('GET', @throttled) or '0')
        if throttled > tonumber(@now) then return {throttled - tonumber(@now), 0} end
        local bucket = redis.call('HMGET', @bucket, 't', 'at')
        local burst, rate, now, reserve = tonumber(@burst), tonumber(@rate), tonumber(@now), tonumber(@reserve)
        local tokens = tonumber(bucket[1]) or burst
        local at = tonumber(bucket[2]) or now
        tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
        local wait = 0
        if tokens >= 1 + reserve then tokens = tokens - 1 else wait = math.ceil((1 + reserve - tokens) * 1000 / rate) end
        redis.call('HSET', @bucket, 't', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', @bucket, math.ceil(burst * 1000 / rate) + 1000)
        return {wait, math.floor(tokens)}
        """);

    /// <summary>Null when a call may go now, else how long until one may.</summary>
    public async Task<TimeSpan?> TryTakeAsync()
    {
        var (perSecond, burst) = Limits();
        if (perSecond <= 0)
        {
            // No budget of our own, but the Wholesaler's 429 still holds every call back.
            var until = await redis.TryAsync(db => db.StringGetAsync(_throttledKey), logger, "Wholesaler throttle unknown; calling");
            var left = until.TryParse(out long ms) ? ms - time.GetUtcNow().ToUnixTimeMilliseconds() : 0;
            return left > 0 ? TimeSpan.FromMilliseconds(left) : null;
        }
        var answer = await redis.TryAsync(db => db.ScriptEvaluateAsync(Take, new
        {
            bucket = (RedisKey)_bucketKey,
            throttled = (RedisKey)_throttledKey,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            burst,
            rate = perSecond,
            // Half the burst stays for calls a user waits on (WholesalerPriority).
            reserve = WholesalerPriority.IsBackground ? Math.Floor(burst / 2.0) : 0,
        }), logger, "Wholesaler budget unavailable; calling without it");
        if (answer is null || answer.Resp2Type != ResultType.Array || (RedisResult[]?)answer is not [var wait, var calls])
        {
            return null;
        }
        metrics.BudgetLeft((long)calls);
        return (long)wait <= 0 ? null : TimeSpan.FromMilliseconds((long)wait);
    }

    /// <summary>The Wholesaler said 429: nobody calls it again before <paramref name="retryAfter"/> has passed.</summary>
    public async Task ThrottledAsync(TimeSpan retryAfter)
    {
        var until = time.GetUtcNow().Add(retryAfter).ToUnixTimeMilliseconds();
        logger.LogWarning("The Wholesaler is rate-limiting us; no calls for {RetryAfter}", retryAfter);
        await redis.TryAsync(db => db.StringSetAsync(_throttledKey, until, retryAfter), logger, "Could not record the Wholesaler's 429");
    }
}
