namespace VexaService.Data;

/// <summary>
/// The durable outbox of webhook deliveries to our users: written in the same transaction that records the
/// Wholesaler's completion event, so a crash between receipt and delivery loses nothing; one row per meeting
/// and event, so a repeated event is not delivered twice.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long MeetingId { get; set; }
    public long UserId { get; set; }
    public required string EventKey { get; set; }

    /// <summary>The JSON body to deliver, already rewritten to our ids.</summary>
    public required string Payload { get; set; }

    public string Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string NoUrl = "no_url";
}
