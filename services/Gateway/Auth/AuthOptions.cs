namespace VexaService.Gateway.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long a successful key lookup stays in Redis (deleting a token drops it at once).</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an unknown key is remembered, so guessing keys does not hammer PostgreSQL.</summary>
    public TimeSpan NegativeCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Requests one API key may make per window, across all gateway replicas. 0 turns limiting off.</summary>
    public int PermitLimit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}
