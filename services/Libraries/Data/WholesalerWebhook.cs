namespace VexaService.Data;

/// <summary>
/// A signed webhook from today's Vexa (0.12, the hosted API), kept from the moment it arrived until it was applied:
/// the receiver answers at once (a slow answer holds up Vexa's bot, a 4xx drops the event for good) and a processor
/// applies it from here, so nothing is lost to a crash or an outage meanwhile. The key is Vexa's <c>event_id</c>, the
/// same on every redelivery: a second copy is refused by the key, whichever replica it reaches.
/// </summary>
public sealed class WholesalerWebhook
{
    public required string EventId { get; set; }
    public required string EventType { get; set; }

    /// <summary>The envelope as it came (<c>{"event_id", "event_type", "data", ...}</c>).</summary>
    public required string Body { get; set; }
    public DateTime ReceivedAt { get; set; }

    /// <summary>When a processor may take it (again); a taken one is pushed ahead, so another replica waits its turn.</summary>
    public DateTime NextAttemptAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>Null until applied or given up; kept 48 h after that, to refuse late redeliveries.</summary>
    public DateTime? ProcessedAt { get; set; }
    public string? Outcome { get; set; }
}
