
namespace VexaService.Data;

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
    /// <summary>
    /// The Wholesaler's id of the bot's session (Vexa 0.12 and 1.5: <c>data.sessions</c> of POST /bots' answer). 0.12's
    /// <c>meeting.status_change</c> webhook names the meeting only by it.
    /// </summary>
    public string? WholesalerConnectionId { get; set; }
    public string Status { get; set; } = MeetingStatus.Requested;
    public string? BotContainerId { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }

    /// <summary>
    /// Since when the reconciler has found this live meeting's bot missing from the Wholesaler's running bots; null
    /// while it runs. A meeting the Wholesaler keeps live without a bot (one that died without calling back) is failed
    /// after a grace period, freeing its quota slot and native id.
    /// </summary>
    public DateTime? BotMissingSince { get; set; }
    public string Data { get; set; } = "{}";

    /// <summary>When the Wholesaler's final transcript of this (final) meeting was stored in <c>transcript_segments</c>:
    /// from then on it is read from there, never from the Wholesaler.</summary>
    public DateTime? TranscriptStoredAt { get; set; }

    /// <summary>The run of the live feed (its epoch, <c>RedisKeys.TranscriptFeedEpoch</c>) under which this live meeting's
    /// copy in <c>transcript_segments</c> is whole: caught up over REST after the feed subscribed it, every pushed frame
    /// applied since. While it names the feed's current run, a live transcript is read from our copy; any gap (a new
    /// socket, a frame that could not be applied) starts a new run or clears it, and the Wholesaler is asked again.</summary>
    public string? TranscriptFed { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// The Wholesaler's statuses. The status is an open set: Vexa added <c>joining</c> and <c>awaiting_admission</c> in
/// September 2025 and may add more, so anything that is not final is live (it holds a quota slot, blocks its native id,
/// can be stopped and cannot be deleted).
/// </summary>
public static class MeetingStatus
{
    public const string Requested = "requested";
    public const string Joining = "joining";
    public const string AwaitingAdmission = "awaiting_admission";
    public const string Active = "active";
    public const string Stopping = "stopping";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Error = "error";

    /// <summary>The bot is stuck and a person must act (Vexa 0.12's <c>needs_help</c>; the hosted 1.5 API says
    /// <c>needs_human_help</c>, which we show under this one name). Live, with no place on the path: a bot leaves it for
    /// any status.</summary>
    public const string NeedsHelp = "needs_help";

    /// <summary>The statuses a meeting never leaves; every other one, known or not, is live.</summary>
    public static readonly string[] Final = [Completed, Failed, Error];

    public static bool IsFinal(string? status) => status is Completed or Failed or Error;

    public static bool IsLive(string? status) => status is not null && !IsFinal(status);

    /// <summary>
    /// Where a known status lies on Vexa's path (requested → joining → awaiting_admission → active → stopping → final);
    /// null for statuses we don't know. Reports can arrive out of order (webhooks race each other and the poll), and a
    /// report behind what we hold is stale.
    /// </summary>
    public static int? Rank(string? status) => status switch
    {
        Requested => 0,
        Joining => 1,
        AwaitingAdmission => 2,
        Active => 3,
        Stopping => 4,
        Completed or Failed or Error => 5,
        _ => null,
    };
}
