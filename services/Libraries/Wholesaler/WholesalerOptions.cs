using System.ComponentModel.DataAnnotations;

namespace VexaService.Wholesaler;

public sealed class WholesalerOptions
{
    public const string Section = "Wholesaler";

    /// <summary>Resolved by service discovery from the AppHost's "wholesaler" resource (external or emulator).</summary>
    public string BaseAddress { get; set; } = "https+http://wholesaler";

    /// <summary>The single system key; the only credential the Wholesaler ever sees from us.</summary>
    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary><c>ApiKey</c> (default) or <c>OAuth2</c>: a bearer token from a client-credentials endpoint as well.</summary>
    public string AuthMode { get; set; } = "ApiKey";

    public OAuth2ClientOptions OAuth2 { get; set; } = new();

    /// <summary>One attempt; safe calls are retried within <see cref="TotalTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Circuit breaker: opens when this share of calls fails within the sampling window.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;
    public int BreakerMinimumThroughput { get; set; } = 10;
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Calls a second that all our replicas together may make to the Wholesaler, to which we are one user with one
    /// rate limit (current Vexa: bursts of 120, then 40 a second). 0 turns the budget off.
    /// </summary>
    [Range(0, 100_000)]
    public double BudgetPerSecond { get; set; } = 20;

    /// <summary>Calls the budget allows at once after a quiet spell.</summary>
    [Range(1, 100_000)]
    public int BudgetBurst { get; set; } = 60;

    /// <summary>
    /// Names the Redis scope of this Wholesaler's shared state instead of its address (see <see cref="RedisScope"/>):
    /// for stacks that share a Redis and a Wholesaler but must not share a budget, such as tests running side by side.
    /// </summary>
    public string? SharedStateScope { get; set; }

    /// <summary>
    /// Where this Wholesaler's shared state lives in Redis (call budget, running bots): one scope per Wholesaler address,
    /// so deployments (or test stacks) that share a Redis but not a Wholesaler never share a budget or a copy.
    /// </summary>
    public string RedisScope() => (string.IsNullOrWhiteSpace(SharedStateScope)
        ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(BaseAddress)))[..12]
        : SharedStateScope);

    /// <summary>How old the shared copy of the Wholesaler's running bots (<c>GET /bots/status</c>) may be.</summary>
    public TimeSpan RunningBotsMaxAge { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class OAuth2ClientOptions
{
    public string? TokenEndpoint { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? Scope { get; set; }

    /// <summary>Renew this long before the token expires.</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromSeconds(60);
}
