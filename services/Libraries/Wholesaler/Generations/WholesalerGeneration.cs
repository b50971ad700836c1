using System.Text.Json.Nodes;

namespace VexaService.Wholesaler.Generations;

/// <summary>What a call to the Wholesaler is for, so that a generation can translate its answer.</summary>
public enum WholesalerOperation { Start, Stop, Reconfigure, Transcript, DeleteMeeting, SetWebhook, Other }

/// <summary>
/// One Vexa we can resell, as a small strategy behind the one <see cref="WholesalerClient"/>: how to ask it (paths,
/// bodies) and how its answers read in the Vexa of September 2025, the shapes our services and our users know. The
/// defaults are that Vexa (and dfc7c83e, which differs only where our code already reads both). Adding the next Vexa
/// is one folder here and one test file (vexa-0.12.md §7.2).
/// </summary>
public abstract class WholesalerGeneration
{
    /// <summary>As <c>Wholesaler:Generation</c> names it and as the health report, the logs and the metric tag say it.</summary>
    public abstract string Name { get; }

    /// <summary>Calls a second all our replicas may make to it with every tenant behind one address, and at once.</summary>
    public virtual double BudgetPerSecond => 20;
    public virtual int BudgetBurst => 60;

    /// <summary>Its webhooks are v1 envelopes signed with the secret we registered (unsigned posts are forgeries).</summary>
    public virtual bool SignsWebhooks => false;

    /// <summary><c>GET /auth/me</c> tells the system key's scopes and bot cap, which must allow our work.</summary>
    public virtual bool HasAuthMe => false;

    /// <summary>A running bot's language and task can be changed (<c>PUT /bots/.../config</c>).</summary>
    public virtual bool CanReconfigure => true;

    /// <summary>Our <c>POST /bots</c> body as this Wholesaler needs it.</summary>
    public virtual JsonObject StartBody(JsonObject ours) => ours;

    /// <summary>Whether a 429 is a refusal of this request (the bot cap) rather than a rate limit to wait out.</summary>
    public virtual bool IsRefusal429(WholesalerOperation operation, string? detail) => false;

    /// <summary>The answer as Vexa of September 2025 would have given it.</summary>
    public virtual WholesalerResponse Translate(WholesalerOperation operation, WholesalerResponse answer) => answer;

    /// <summary>The transcript of exactly <paramref name="wholesalerMeetingId"/>, or with null the newest for the native id.</summary>
    public virtual string TranscriptPath(string platform, string nativeId, long? wholesalerMeetingId) =>
        $"transcripts/{Segment(platform)}/{Segment(nativeId)}" + (wholesalerMeetingId is { } id ? $"?meeting_id={id}" : "");

    /// <summary>The running bots' path and the array in its answer.</summary>
    public virtual (string Path, string Field) RunningBots => ("bots/status", "running_bots");

    /// <summary>One running bot in the 2025-09 shape (a Docker container that names its meeting); null to leave it out.</summary>
    public virtual JsonObject? RunningBot(JsonObject item) => item;

    /// <summary>Meetings are listed a page at a time (<c>GET /bots?limit=&amp;offset=</c>, <c>has_more</c>) rather than all at once.</summary>
    public virtual bool PagesMeetings => false;

    /// <summary>One meeting of a list in the 2025-09 shape; null to leave it out (planned or shared rows).</summary>
    public virtual JsonObject? ListedMeeting(JsonObject item) => item;

    /// <summary>The body of <c>PUT /user/webhook</c> registering our callback.</summary>
    public virtual JsonObject WebhookRegistration(string url, string secret) => new() { ["webhook_url"] = url };

    public override string ToString() => Name;

    /// <summary>A bot's path (<c>DELETE</c>; with <c>/config</c>, <c>PUT</c>): the same in every Vexa.</summary>
    public string BotPath(string platform, string nativeId) => $"bots/{Segment(platform)}/{Segment(nativeId)}";

    /// <summary>A meeting's path (<c>DELETE /meetings</c>): the same in every Vexa.</summary>
    public string MeetingPath(string platform, string nativeId) => $"meetings/{Segment(platform)}/{Segment(nativeId)}";

    /// <summary>A path segment from a value (a native id may hold anything).</summary>
    protected static string Segment(string value) => Uri.EscapeDataString(value);
}
