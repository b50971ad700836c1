using System.Text.Json.Nodes;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// One row of Vexa's <c>meetings</c> table plus its bot container and session. Mutable; only touched under the
/// <see cref="MeetingStore"/> lock.
/// </summary>
public sealed class Meeting
{
    public required long Id { get; init; }
    public required string Platform { get; init; }
    public required string NativeMeetingId { get; init; }
    public required DateTime CreatedAt { get; init; }

    /// <summary>Computed once: <c>construct_meeting_url</c> depends only on platform and native id.</summary>
    public required string? ConstructedMeetingUrl { get; init; }

    public required bool BotCanJoin { get; init; }

    /// <summary>Its bot's segment cadence and cap, as the emulator played them when it started (<c>BehaviourSettings</c>).</summary>
    public required int SegmentIntervalMs { get; init; }

    public required int MaxSegments { get; init; }

    public string Status { get; set; } = MeetingStatus.Requested;
    public DateTime UpdatedAt { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public JsonObject Data { get; set; } = [];

    public string? BotContainerId { get; set; }
    public string? ContainerName { get; set; }

    /// <summary>The bot session's start (<c>meeting_sessions.session_start_time</c>), the time base of the segments.</summary>
    public DateTime? SessionStart { get; set; }

    /// <summary>When the bot stopped transcribing (left <c>active</c>); null while it still listens.</summary>
    public DateTime? ProducingUntil { get; set; }

    /// <summary>Set when the row is deleted (DELETE /meetings or reset); scheduled work then does nothing.</summary>
    public bool Deleted { get; set; }

    /// <summary>Bumped on every change the transcript response shows, invalidating <see cref="TranscriptCache"/>.</summary>
    public int Version { get; set; }

    public CachedTranscript? TranscriptCache { get; set; }

    /// <summary>Segments (by index) the Wholesaler took back (emulator control; 0.12's <c>transcript_retract</c>): gone from
    /// its transcript.</summary>
    public HashSet<int> Retracted { get; } = [];

    /// <summary>0.12 and 1.5: the bot session's id, returned in <c>data.sessions</c> and named by 0.12's status webhooks.</summary>
    public string? ConnectionId { get; set; }

    /// <summary>The user's webhook settings as they were when the bot was started (0.12 captures them at spawn).</summary>
    public WebhookTarget? Webhook { get; set; }

    /// <summary>0.12: why the meeting ended (<c>stopped</c>, <c>left_alone</c>, <c>awaiting_admission_rejected</c>...).</summary>
    public string? CompletionReason { get; set; }

    /// <summary>0.12: the last stage a failed bot reached.</summary>
    public string? FailureStage { get; set; }

    /// <summary>0.12: DELETE /bots was accepted for it (a second one finds nothing to stop).</summary>
    public bool StopRequested { get; set; }

    /// <summary>0.12: DELETE /meetings removed its transcript; the row stays.</summary>
    public bool ArtifactsDeleted { get; set; }

    /// <summary>The container died without its exit callback (contract 7): Vexa keeps the meeting live for ever.</summary>
    public bool ContainerDied { get; set; }

    /// <summary>Docker lists the container as running from its start until the bot has left.</summary>
    public bool ContainerRunning => BotContainerId is not null && !ContainerDied && !MeetingStatus.IsFinal(Status);
}

/// <summary>The serialised transcript response, valid for <paramref name="Version"/> until <paramref name="ValidUntil"/>, as
/// <paramref name="Generation"/> writes it.</summary>
public sealed record CachedTranscript(byte[] Utf8Json, int Version, DateTime ValidUntil, string Generation);

/// <summary>Where and how a meeting's webhooks go: URL, signing secret, chosen events (null: Vexa's default).</summary>
public sealed record WebhookTarget(string Url, string? Secret, IReadOnlyDictionary<string, bool>? Events);

public static class MeetingStatus
{
    public const string Requested = "requested";
    public const string Joining = "joining";
    public const string AwaitingAdmission = "awaiting_admission";
    public const string Active = "active";
    public const string NeedsHelp = "needs_help";
    public const string Stopping = "stopping";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Error = "error";

    public static bool IsFinal(string status) => status is Completed or Failed or Error;
}
