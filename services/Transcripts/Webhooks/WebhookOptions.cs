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

    /// <summary>
    /// The secret before the last rotation, still accepted (optional). To rotate: the new secret as
    /// <see cref="CallbackSecret"/>, the old one here, restart (the callback is registered again with the new one), and
    /// remove this once the Wholesaler posts to the new URL. No callback in flight is refused meanwhile.
    /// </summary>
    [MinLength(32)]
    public string? PreviousCallbackSecret { get; set; }

    /// <summary>Whether a callback path's secret is ours (the current or the previous one), in constant time.</summary>
    public bool IsCallbackSecret(string secret) =>
        SecretEquals(secret, CallbackSecret) | (!string.IsNullOrEmpty(PreviousCallbackSecret) && SecretEquals(secret, PreviousCallbackSecret));

    private static bool SecretEquals(string given, string ours) => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
        System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(ours));

    /// <summary>Allow deliveries to private/loopback addresses (run mode and tests only; see <see cref="WebhookTargetGuard"/>).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>The dispatcher's longest sleep: it wakes earlier when a row falls due or a new one is inserted.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many users' deliveries are sent at once by one replica (one row per user at a time).</summary>
    [Range(1, 256)]
    public int MaxParallelDeliveries { get; set; } = 16;

    /// <summary>False: this replica receives events but delivers nothing, and applies none of the Wholesaler's stored
    /// webhooks (tests of a crash before delivery; stacks that share a database with others).</summary>
    public bool DispatcherEnabled { get; set; } = true;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);
    public int MaxAttempts { get; set; } = 12;
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a user waits between two <c>POST /user/webhook/test</c> (across replicas): a test sends a request to a
    /// URL of the user's choosing at once, which must not become a relay or a port scanner.
    /// </summary>
    public TimeSpan TestCooldown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections one replica holds open to one webhook host at once (deliveries and tests together).</summary>
    [Range(1, 1024)]
    public int MaxConnectionsPerHost { get; set; } = 8;

    public string CallbackPath => $"/internal/wholesaler-webhook/{CallbackSecret}";
}
