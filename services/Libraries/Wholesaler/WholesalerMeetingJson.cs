using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Data;

namespace VexaService.Wholesaler;

/// <summary>Reads the Wholesaler's meeting JSON (MeetingResponse, transcript header, webhook) and carries it onto our row.</summary>
public static class WholesalerMeetingJson
{
    public static long? Id(JsonNode? meeting) => meeting?["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : null;

    /// <summary>The meeting's status in our words: one Vexa's name for a status another names differently is ours
    /// (<see cref="MeetingStatus.NeedsHelp"/>), so that users see one vocabulary whichever Vexa we resell.</summary>
    public static string? Status(JsonNode? meeting) =>
        meeting?["status"] is JsonValue v && v.TryGetValue<string>(out var s) ? OurWord(s) : null;

    private static string OurWord(string status) => status == "needs_human_help" ? MeetingStatus.NeedsHelp : status;

    public static string? Text(JsonNode? meeting, string field) =>
        meeting?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The bot session today's Vexa names in its status webhooks (<c>data.sessions</c>, the first: one per start).</summary>
    public static string? ConnectionId(JsonNode? meeting) =>
        (meeting?["data"] as JsonObject)?["sessions"] is JsonArray { Count: > 0 } sessions && sessions[0] is JsonValue v
        && v.TryGetValue<string>(out var id) && id.Length <= 64 ? id : null;

    /// <summary>The meetings that have an id, by id.</summary>
    public static Dictionary<long, JsonObject> ById(IEnumerable<JsonObject> meetings) =>
        meetings.Where(m => Id(m) is not null).ToDictionary(m => Id(m)!.Value);

    /// <summary>
    /// Our status and times follow the Wholesaler's; returns whether anything changed. A status behind the one we hold
    /// (a late webhook, a poll that raced a push) is stale and ignored, and a final status is never left: the meeting's
    /// completion is told once. Statuses we don't know are taken as they come (they are live).
    /// </summary>
    public static bool Follow(JsonNode wholesaler, Meeting ours) => Follow(wholesaler, ours, apply: true);

    /// <summary>Whether <see cref="Follow(JsonNode, Meeting)"/> would change our row (it is left as it is).</summary>
    public static bool WouldFollow(JsonNode wholesaler, Meeting ours) => Follow(wholesaler, ours, apply: false);

    private static bool Follow(JsonNode wholesaler, Meeting ours, bool apply)
    {
        var status = Status(wholesaler);
        if (status is not null && !IsNewer(status, ours.Status))
        {
            status = null;
        }
        var start = Time(wholesaler["start_time"]);
        var end = Time(wholesaler["end_time"]);
        if (MeetingStatus.IsFinal(ours.Status))
        {
            end = ours.EndTime is null ? end : null; // a final row's times are settled, save a missing end
        }
        if ((status is null || status == ours.Status) && (start is null || start == ours.StartTime) && (end is null || end == ours.EndTime))
        {
            return false;
        }
        if (!apply)
        {
            return true;
        }
        ours.Status = status ?? ours.Status;
        ours.StartTime = start ?? ours.StartTime;
        ours.EndTime = end ?? ours.EndTime;
        ours.UpdatedAt = DateTime.UtcNow;
        return true;
    }

    /// <summary>Whether the Wholesaler's <paramref name="reported"/> status moves ours forward.</summary>
    public static bool IsNewer(string reported, string ours)
    {
        if (reported == ours || MeetingStatus.IsFinal(ours))
        {
            return false;
        }
        return MeetingStatus.Rank(reported) is not { } theirs || MeetingStatus.Rank(ours) is not { } mine || theirs > mine;
    }

    /// <summary>Maps our row to this Wholesaler meeting (its id, issuer and container) and takes its state; always a change.</summary>
    public static bool Adopt(JsonNode wholesaler, string issuer, Meeting ours)
    {
        ours.WholesalerMeetingId = Id(wholesaler) ?? ours.WholesalerMeetingId;
        ours.WholesalerIssuer = issuer;
        ours.BotContainerId = Text(wholesaler, "bot_container_id") ?? ours.BotContainerId;
        ours.WholesalerConnectionId = ConnectionId(wholesaler) ?? ours.WholesalerConnectionId;
        Follow(wholesaler, ours);
        ours.UpdatedAt = DateTime.UtcNow;
        return true;
    }

    /// <summary>
    /// The bot is gone without a final answer from the Wholesaler: the meeting failed, its slot is free. A meeting that
    /// is final already (its end came meanwhile) is left as it is; returns whether it changed.
    /// </summary>
    public static bool MarkFailed(Meeting ours)
    {
        if (MeetingStatus.IsFinal(ours.Status))
        {
            return false;
        }
        ours.Status = MeetingStatus.Failed;
        ours.EndTime = DateTime.UtcNow;
        ours.UpdatedAt = DateTime.UtcNow;
        return true;
    }

    /// <summary>When the meeting started, what its segments' times count from: the Wholesaler's <c>start_time</c> in an
    /// answer about it, else the start our row holds.</summary>
    public static DateTime? Start(JsonNode? wholesaler, Meeting ours) => Time(wholesaler?["start_time"]) ?? ours.StartTime;

    /// <summary>A datetime field (Vexa's are naive ISO strings in UTC), whatever precision it came with.</summary>
    public static DateTime? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && VexaDateTime.TryParse(s, out var t) ? t : null;
}
