namespace VexaService.WholesalerEmulator.Models;

/// <summary>Faults applied to every Vexa path (not to <c>/_emulator</c> or the health probes).</summary>
/// <param name="Mode"><c>normal</c>, <c>refuse</c> (abort the connection) or <c>hang</c> (never answer).</param>
/// <param name="LatencyMs">Delay before a request is handled (a client that gives up first leaves nothing done).</param>
/// <param name="AnswerDelayMs">Delay after a request was handled, before its answer goes out: the work is done even when
/// the client gives up waiting (a late answer, as from a loaded Vexa).</param>
/// <param name="IgnoreMeetingId">Answer <c>GET /transcripts</c> with the newest meeting whatever <c>?meeting_id=</c> says,
/// as Vexa did before 2025-09-25.</param>
public sealed record FaultSettings(int LatencyMs, double ErrorRate, int ErrorStatus, string Mode, int AnswerDelayMs = 0, bool IgnoreMeetingId = false)
{
    public static readonly FaultSettings None = new(0, 0.0, StatusCodes.Status503ServiceUnavailable, "normal");

    /// <summary>Whether the answer is held back or dropped after the request's work is done.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AfterCommit => AnswerDelayMs > 0 || Mode == "lose_answer";
}

/// <summary>What the emulator has received since start or the last reset.</summary>
public sealed record StatsResponse(
    long RequestsTotal,
    IReadOnlyDictionary<string, long> ApiKeysSeen,
    IReadOnlyDictionary<string, long> TranscriptRequests,
    long BotStarts,
    long MeetingListings,
    long RunningBotsListings,
    long RateLimited,
    long LiveSubscriptionChanges);

/// <summary>What a test makes the Wholesaler hold for one meeting (<c>PUT /_emulator/meetings/{id}</c>); times are UTC.</summary>
/// <param name="Segments">Set: the meeting's transcript has exactly this many segments, its speaking over; null keeps it.</param>
public sealed record StagedMeeting(string Platform, string NativeMeetingId, string Status, DateTime? StartTime, DateTime? EndTime, int? Segments);

/// <summary>Same body as bot-manager's exit callback answer.</summary>
public sealed record ExitCallbackResponse(string Status, long MeetingId, string FinalStatus);

/// <summary>
/// How the emulator plays Vexa now: which generation (<see cref="Generation"/>, one of <see cref="Generations.EmulatedGenerations"/>)
/// and the knobs tests turn. Playing a generation that pushes statuses, the bot moves through <c>joining</c> and
/// <c>awaiting_admission</c> to <c>active</c> (or <c>failed</c> when admission is refused), one step per <see cref="StatusStepMs"/>.
/// </summary>
/// <param name="Version">The generation's name: <c>dfc7c83e</c>, <c>2025-09</c>, <c>0.12</c> or <c>1.5</c>.</param>
/// <param name="RateLimitBurst">A per-key token bucket on top of the generation's own limits: this many requests at once,
/// then <paramref name="RateLimitPerSecond"/> a second, beyond which 429 with <c>Retry-After</c>; 0 turns it off.</param>
/// <param name="SegmentIntervalMs">How often a bot started from now hears a new segment (a talkative meeting or a quiet one).</param>
/// <param name="MaxSegments">The most segments a bot started from now produces.</param>
/// <param name="GenerationLimits">Whether the generation's own rate limits apply (0.12: 600 a minute per address, then an
/// hour's ban, and 40 a second per user; 1.5: 120 a minute per key). Off in tests that are not about them.</param>
public sealed record BehaviourSettings(string Version, int StatusStepMs, bool RefuseAdmission, int RateLimitBurst, double RateLimitPerSecond,
    int SegmentIntervalMs, int MaxSegments, bool GenerationLimits = true)
{
    public const string Dfc7c83e = "dfc7c83e";
    public const string September2025 = "2025-09";
    public const string Vexa012 = "0.12";
    public const string Hosted15 = "1.5";
    public static IReadOnlyList<string> Versions => Generations.EmulatedGenerations.Names;

    [System.Text.Json.Serialization.JsonIgnore]
    public Generations.EmulatedGeneration Generation => Generations.EmulatedGenerations.Named(Version);
}
