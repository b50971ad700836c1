using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// Current Vexa's per-key rate limit: a token bucket per API key (<see cref="BehaviourSettings.RateLimitBurst"/>
/// requests at once, refilled at <see cref="BehaviourSettings.RateLimitPerSecond"/>); a request without a token is
/// answered 429 with <c>Retry-After</c>. To Vexa the Retailer is one key, so this is the limit all its replicas share.
/// </summary>
public sealed class KeyRateLimiter(EmulatorBehaviour behaviour, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (double Tokens, long At)> _buckets = [];

    /// <summary>Null when the request may pass, else how long until a token is back.</summary>
    public TimeSpan? TryTake(string key)
    {
        var limit = behaviour.Current;
        if (limit.RateLimitBurst <= 0)
        {
            return null;
        }
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var (tokens, at) = _buckets.TryGetValue(key, out var bucket) ? bucket : (limit.RateLimitBurst, now);
            tokens = Math.Min(limit.RateLimitBurst, tokens + time.GetElapsedTime(at, now).TotalSeconds * limit.RateLimitPerSecond);
            if (tokens >= 1)
            {
                _buckets[key] = (tokens - 1, now);
                return null;
            }
            _buckets[key] = (tokens, now);
            return limit.RateLimitPerSecond > 0 ? TimeSpan.FromSeconds((1 - tokens) / limit.RateLimitPerSecond) : TimeSpan.FromSeconds(60);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _buckets.Clear();
        }
    }
}
