namespace VexaService.Data;

/// <summary>
/// What a meeting's bot cost, kept by a PostgreSQL trigger on <c>meetings</c> (every path that changes a meeting,
/// EF or SQL, on any replica, is seen) and kept when the meeting is deleted, which only marks it here: usage is not
/// lost with the transcript. Bot time runs from <see cref="StartTime"/> (the Wholesaler's start) to
/// <see cref="EndTime"/> (or now while it runs); a meeting that never started costs nothing.
/// </summary>
public sealed class MeetingUsage
{
    /// <summary>The meeting's id (no foreign key: the row outlives the meeting).</summary>
    public long MeetingId { get; set; }
    public long UserId { get; set; }
    public required string Platform { get; set; }
    public string? NativeMeetingId { get; set; }
    public required string Status { get; set; }
    public DateTime? StartTime { get; set; }

    /// <summary>The end, or the moment the meeting became final when the Wholesaler gave no end time.</summary>
    public DateTime? EndTime { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>When its owner deleted the meeting; null while it exists.</summary>
    public DateTime? DeletedAt { get; set; }
}
