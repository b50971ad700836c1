namespace VexaService.Gateway.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long a successful key lookup stays in Redis (deleting a token drops it at once).</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an unknown key is remembered, so guessing keys does not hammer PostgreSQL.</summary>
    public TimeSpan NegativeCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the gateway reads the keys deleted lately (<c>KeyRevocations</c>).</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a deleted key can still be let in from the cache: when the revocations could not be read for this
    /// long, cached lookups are not used.
    /// </summary>
    public TimeSpan RevocationMaxLag { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Requests one API key may make per window, across all gateway replicas. 0 turns limiting off.</summary>
    public int PermitLimit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Key lookups that reach PostgreSQL (keys not in the Redis cache) one client address may cause per second, in
    /// each gateway replica, and the burst it may spend at once: before authentication, so that random keys from one
    /// address cannot exhaust the connection pool. Cached keys cost no lookup. 0 turns this limit off.
    /// </summary>
    public int ClientLookupsPerSecond { get; set; } = 20;

    public int ClientLookupBurst { get; set; } = 100;

    /// <summary>Failed admin keys (403 from admin-api) one client address may send per minute, in each replica; then 429.</summary>
    public int ClientAdminFailuresPerMinute { get; set; } = 10;

    /// <summary>
    /// Addresses (IPs or CIDR networks) of the proxies in front of the gateway, such as Azure Container Apps' ingress:
    /// only their <c>X-Forwarded-For</c> names the client. Empty: the connection's address is the client's.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];
}
