using System.ComponentModel.DataAnnotations;

namespace VexaService.Transcripts.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// The Retailer's address as the Wholesaler can reach it (AppHost parameter <c>retailer-public-url</c>; the gateway
    /// in run mode). Our callback is <c>{PublicBaseUrl}/internal/wholesaler-webhook/{CallbackSecret}</c>.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Unguessable path secret: the Wholesaler does not sign its calls, so the URL itself authenticates them.</summary>
    [Required, MinLength(32)]
    public string CallbackSecret { get; set; } = "";

    /// <summary>Allow deliveries to private/loopback addresses (run mode and tests only; see <see cref="WebhookTargetGuard"/>).</summary>
    public bool AllowPrivateTargets { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);
    public int MaxAttempts { get; set; } = 12;
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public string CallbackPath => $"/internal/wholesaler-webhook/{CallbackSecret}";
}
