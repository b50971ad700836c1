using VexaService.WholesalerEmulator.Generations;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>The refusal a rate limit gives: its status, body, and <c>Retry-After</c> in seconds (null: none sent).</summary>
public sealed record RateRefusal(int Status, string Body, int? RetryAfter);

/// <summary>
/// The played generation's own rate limits (vexa-0.12.md §6). To Vexa a Retailer is one address and one key, so these
/// are the limits all its tenants share.
/// <list type="bullet">
/// <item>0.12: per address, 600 requests a minute, then 429 <em>without</em> <c>Retry-After</c>; the tenth refusal bans the
/// address for an hour (403). Per user, a bucket of 120 refilled at 40 a second, then 429 <c>Rate limit exceeded</c> with
/// <c>Retry-After: 1</c>.</item>
/// <item>1.5: per key, 120 requests in any 60 s, then 429 with <c>Retry-After</c> and <c>retry_after</c>; successful
/// answers carry <c>X-RateLimit-Limit</c> and <c>X-RateLimit-Remaining</c>.</item>
/// </list>
/// </summary>
public sealed class GenerationLimiter(TimeProvider time)
{
    public const int GuardPerMinute = 600;
    public const int GuardViolationsBeforeBan = 10;
    public static readonly TimeSpan GuardBan = TimeSpan.FromHours(1);
    public const int UserBurst = 120;
    public const double UserPerSecond = 40;
    public const int HostedPerMinute = 120;

    private readonly Lock _gate = new();
    private readonly Queue<DateTimeOffset> _guardWindow = new();
    private readonly Queue<DateTimeOffset> _hostedWindow = new();
    private int _violations;
    private DateTimeOffset? _bannedUntil;
    private double _userTokens = UserBurst;
    private DateTimeOffset _userAt = DateTimeOffset.MinValue;

    /// <summary>Counts the request; null when it may pass. <paramref name="remaining"/>: 1.5's requests left in the window.</summary>
    public RateRefusal? TryPass(EmulatedGeneration generation, out int? remaining)
    {
        remaining = null;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (generation.RateLimits == RateLimitStyle.AddressGuardAndUserBucket)
            {
                if (_bannedUntil > now)
                {
                    return new RateRefusal(StatusCodes.Status403Forbidden, "{\"detail\":\"Forbidden\"}", null);
                }
                Slide(_guardWindow, now);
                if (_guardWindow.Count >= GuardPerMinute)
                {
                    if (++_violations >= GuardViolationsBeforeBan)
                    {
                        _bannedUntil = now + GuardBan;
                    }
                    return new RateRefusal(StatusCodes.Status429TooManyRequests, "{\"detail\":\"Too many requests\"}", null);
                }
                _guardWindow.Enqueue(now);
                _userTokens = _userAt == DateTimeOffset.MinValue ? UserBurst
                    : Math.Min(UserBurst, _userTokens + (now - _userAt).TotalSeconds * UserPerSecond);
                _userAt = now;
                if (_userTokens < 1)
                {
                    return new RateRefusal(StatusCodes.Status429TooManyRequests, "{\"detail\":\"Rate limit exceeded\"}", 1);
                }
                _userTokens -= 1;
                return null;
            }
            if (generation.RateLimits == RateLimitStyle.KeyWindow)
            {
                Slide(_hostedWindow, now);
                // The refused request counts toward the window too (vexa-0.12.md §8.7).
                _hostedWindow.Enqueue(now);
                if (_hostedWindow.Count > HostedPerMinute)
                {
                    return new RateRefusal(StatusCodes.Status429TooManyRequests, "{\"detail\":\"Rate limit exceeded\",\"retry_after\":1}", 1);
                }
                remaining = HostedPerMinute - _hostedWindow.Count;
            }
            return null;
        }
    }

    /// <summary>Whether 0.12's guard has banned us.</summary>
    public bool Banned => _bannedUntil > time.GetUtcNow();

    public void Reset()
    {
        lock (_gate)
        {
            _guardWindow.Clear();
            _hostedWindow.Clear();
            _violations = 0;
            _bannedUntil = null;
            _userTokens = UserBurst;
            _userAt = DateTimeOffset.MinValue;
        }
    }

    private static void Slide(Queue<DateTimeOffset> window, DateTimeOffset now)
    {
        while (window.Count > 0 && now - window.Peek() >= TimeSpan.FromMinutes(1))
        {
            window.Dequeue();
        }
    }
}
