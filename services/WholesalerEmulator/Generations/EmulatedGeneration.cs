using System.Text.Json.Nodes;

namespace VexaService.WholesalerEmulator.Generations;

/// <summary>
/// One Vexa the emulator can play: what differs between generations, each answer in the shape that generation gives.
/// Handlers ask the current generation (<c>EmulatorBehaviour.Current.Generation</c>) instead of testing version names,
/// so a new Vexa is one more file in this folder. The defaults are Vexa as of September 2025 (contract §12-§15).
/// </summary>
public abstract class EmulatedGeneration
{
    /// <summary>As <c>Emulator:Behaviour</c> and <c>PUT /_emulator/behaviour</c> name it.</summary>
    public abstract string Name { get; }

    /// <summary>POST /bots answers <c>requested</c> and the bot reports each step on its way in (else: <c>active</c> at once).</summary>
    public virtual bool PushesStatuses => true;

    /// <summary><c>GET /openapi.json</c>'s <c>info</c>, what a Retailer's detection reads first (vexa-0.12.md §1).</summary>
    public abstract (string Title, string Version) OpenApiInfo { get; }

    /// <summary><c>GET /</c> answers the gateway's welcome (every generation but 0.12, which has no such route).</summary>
    public virtual bool WelcomesAtRoot => true;

    /// <summary><c>GET /auth/me</c>, <c>GET /bots</c> (paged) and the gateway's own key check (401 for a missing or wrong
    /// key, 403 only for a missing scope): Vexa 0.12 and the hosted API 1.5.</summary>
    public virtual bool HasGatewayAuth => false;

    /// <summary>The fallback of <c>/auth/me</c>'s <c>max_concurrent</c> (0.12: 3, 1.5: 1); the emulator reports its configured cap.</summary>
    public virtual bool HasAuthMe => HasGatewayAuth;

    /// <summary>Timestamps end in <c>Z</c> (0.12) instead of Python's naive <c>isoformat()</c>.</summary>
    public virtual bool WritesUtcSuffix => false;

    /// <summary><c>PUT /bots/.../config</c> exists (0.12: 404 Not Found).</summary>
    public virtual bool HasBotConfig => true;

    /// <summary><c>GET /transcripts/{p}/{n}?meeting_id=</c> is honoured (0.12 ignores it).</summary>
    public virtual bool HonoursMeetingIdQuery => true;

    /// <summary><c>GET /transcripts/by-id/{id}</c> exists (0.12).</summary>
    public virtual bool HasTranscriptById => false;

    /// <summary>Segments' <c>start</c>/<c>end</c> are epoch seconds with a <c>segment_id</c>, and the newest segment is
    /// listed twice (Postgres and the Redis hash both hold it): 0.12's bot.</summary>
    public virtual bool WritesEpochSegments => false;

    /// <summary><c>/ws</c> speaks v1 (0.12 and the hosted 1.5; vexa-0.12.md §5): frames name the meeting row, which a
    /// subscription keeps; <c>transcript</c> (a bot's <c>segment</c>, then the collector's republish; Teams speaker
    /// snapshots), <c>transcript_retract</c>, <c>meeting.status</c> with the row's id. Otherwise 2025-09's frames.</summary>
    public virtual bool SendsV1Frames => false;

    /// <summary><c>GET /meetings</c> without <c>limit</c> shows only this many (0.12: 50); null: every meeting.</summary>
    public virtual int? MeetingsDefaultLimit => null;

    /// <summary><c>PATCH /meetings/{p}/{n}</c> with <c>data</c> merges it (0.12: 422, the bot lifecycle owns the row).</summary>
    public virtual bool PatchesMeetingData => true;

    public virtual WebhookStyle Webhooks => WebhookStyle.Legacy;

    /// <summary>Its own rate limits (vexa-0.12.md §6), applied while <c>BehaviourSettings.GenerationLimits</c> is on.</summary>
    public virtual RateLimitStyle RateLimits => RateLimitStyle.None;

    /// <summary>DELETE /bots stops the live meeting not asked to stop yet and answers 200 with it; with none left, 404
    /// (0.12). Otherwise 202, and a final newest meeting is reported as such.</summary>
    public virtual bool StopAnswersWithRow => false;

    /// <summary><c>GET /bots/status</c> lists meeting rows (<c>running</c>, <c>running_bots</c>, <c>count</c>) rather than
    /// Docker containers (0.12).</summary>
    public virtual bool ListsRunningMeetingRows => false;

    /// <summary><c>GET /user/webhook</c> shows the settings, the secret only as set or not (0.12).</summary>
    public virtual bool ShowsWebhookSettings => false;

    /// <summary>DELETE /meetings keeps the row and removes only its transcript (0.12); otherwise the row goes (1.5 nulls
    /// its native id, so it cannot be found by it any more).</summary>
    public virtual bool KeepsDeletedMeetingRow => false;

    /// <summary>DELETE /meetings of a meeting its bot still works on (0.12 and 1.5 refuse it).</summary>
    public virtual string NotFinalForDeletion(string status) => $"Meeting not finalized; cannot delete transcripts. Current status: {status}";

    /// <summary>A bot that never reached <c>active</c> ends <c>failed</c> whatever its exit (0.12: completed implies admitted).</summary>
    public virtual bool CompletedImpliesAdmitted => false;

    /// <summary>POST /bots needs <c>meeting_url</c> for this platform (0.12: zoom).</summary>
    public virtual bool RequiresMeetingUrl(string platform) => false;

    /// <summary>The system user is at its concurrent bot limit.</summary>
    public virtual (int Status, string Detail) LimitReached(int running, int limit) =>
        (StatusCodes.Status403Forbidden, $"User has reached the maximum concurrent bot limit ({limit}).");

    public virtual string AlreadyRunning(string platform, string nativeId, long meetingId) =>
        "An active or requested meeting already exists for this platform and meeting ID, and its container is running. " +
        $"Meeting ID: {meetingId}";

    /// <summary>DELETE /bots on a meeting that is not there.</summary>
    public virtual string NothingToStop => "No meeting found to stop.";

    /// <summary>The meeting as this generation writes it (POST /bots, lists, webhooks), from the 2025-09 shape.</summary>
    public virtual JsonObject Meeting(JsonObject legacy, Services.Meeting meeting) => legacy;

    /// <summary>A time as this generation writes it.</summary>
    public string? Time(DateTime? utc) => WritesUtcSuffix
        ? utc is { } t ? Contracts.VexaDateTime.Naive(t) + "Z" : null
        : Contracts.VexaDateTime.Naive(utc);
}

public enum WebhookStyle
{
    /// <summary>The bare meeting on completion, <c>{"event_type","meeting","status_change":{from,to}}</c> for changes (2025-09).</summary>
    Legacy,

    /// <summary>0.12: the v1 envelope, signed; every bot-driven advance is a <c>meeting.status_change</c> naming only the
    /// bot's <c>connection_id</c>, plus a typed event (<c>meeting.started</c>, <c>bot.failed</c>, <c>meeting.completed</c>).</summary>
    V1PerAdvance,

    /// <summary>Hosted 1.5: the v1 envelope, signed; one event per change (<c>meeting.started</c>, <c>bot.failed</c>, else
    /// <c>meeting.status_change</c> with the full meeting), and completion sends its status change and <c>meeting.completed</c>.</summary>
    V1OnePerChange,
}

public enum RateLimitStyle
{
    None,

    /// <summary>0.12: 600 requests a minute per address (then 429 without <c>Retry-After</c>, and an hour's ban after ten),
    /// and a per-user bucket of 120 refilled at 40 a second.</summary>
    AddressGuardAndUserBucket,

    /// <summary>1.5: 120 requests in any minute per key, with <c>Retry-After</c> and <c>X-RateLimit-Remaining</c>.</summary>
    KeyWindow,
}

/// <summary>The generations the emulator plays, by name.</summary>
public static class EmulatedGenerations
{
    public static readonly EmulatedGeneration Dfc7c83e = new Dfc7c83e();
    public static readonly EmulatedGeneration September2025 = new September2025();
    public static readonly EmulatedGeneration Vexa012 = new Vexa012();
    public static readonly EmulatedGeneration Hosted15 = new Hosted15();

    public static readonly IReadOnlyList<EmulatedGeneration> All = [Dfc7c83e, September2025, Vexa012, Hosted15];

    public static readonly IReadOnlyList<string> Names = [.. All.Select(g => g.Name)];

    public static EmulatedGeneration Named(string name) =>
        All.FirstOrDefault(g => g.Name == name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "Not a Vexa the emulator plays.");
}
