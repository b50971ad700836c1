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
    /// Which Vexa the Wholesaler is: <c>auto</c> (learned at start from its answers), or <c>dfc7c83e</c>, <c>2025-09</c>,
    /// <c>0.12</c>, <c>1.5</c> (see <see cref="Generations.WholesalerGenerations"/>).
    /// </summary>
    [AllowedValues("auto", "dfc7c83e", "2025-09", "0.12", "1.5")]
    public string Generation { get; set; } = "auto";

    /// <summary>
    /// Calls a second that all our replicas together may make to the Wholesaler, to which we are one user with one
    /// rate limit. Unset: the generation's own (2025-09: 20; 0.12: 8, under its 600 a minute per address; 1.5: 1.8, under
    /// its 120 a minute per key). 0 turns the budget off.
    /// </summary>
    [Range(0, 100_000)]
    public double? BudgetPerSecond { get; set; }

    /// <summary>Calls the budget allows at once after a quiet spell; unset: the generation's own.</summary>
    [Range(1, 100_000)]
    public int? BudgetBurst { get; set; }

    /// <summary>
    /// The secret the Wholesaler signs its webhooks with (0.12, 1.5), registered with our callback. Unset: derived from
    /// <see cref="ApiKey"/>, so every replica agrees without one more parameter, and a new key makes a new secret.
    /// </summary>
    public string? WebhookSecret { get; set; }

    public string WebhookSigningSecret() => string.IsNullOrWhiteSpace(WebhookSecret)
        ? Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(ApiKey), "vexa-retailer webhook signing v1"u8))[..40]
        : WebhookSecret.Trim();

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

    /// <summary>How old a copy of the running bots may be served when the Wholesaler cannot be asked (budget, outage).</summary>
    public TimeSpan RunningBotsStaleFor { get; set; } = TimeSpan.FromSeconds(60);
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
