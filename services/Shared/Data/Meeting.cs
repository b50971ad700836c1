namespace VexaService.Shared.Data;

/// <summary>
/// A meeting (bot session) owned by one of our users. <see cref="WholesalerMeetingId"/> maps it to the
/// Wholesaler's meeting; it is null while the Wholesaler call is in flight (crash-safe ordering).
/// </summary>
public sealed class Meeting
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    public required string Platform { get; set; }
    public required string NativeMeetingId { get; set; }
    public long? WholesalerMeetingId { get; set; }

    /// <summary>Which Wholesaler issued <see cref="WholesalerMeetingId"/> (see <c>WholesalerIdentity</c>).</summary>
    public string? WholesalerIssuer { get; set; }
    public string Status { get; set; } = MeetingStatus.Requested;
    public string? BotContainerId { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public string Data { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class MeetingStatus
{
    public const string Requested = "requested";
    public const string Active = "active";
    public const string Stopping = "stopping";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Error = "error";

    /// <summary>Statuses in which a bot holds a slot: they count against quotas and block duplicates.</summary>
    public static readonly string[] Live = [Requested, Active, Stopping];

    public static bool IsFinal(string status) => status is Completed or Failed or Error;
}
