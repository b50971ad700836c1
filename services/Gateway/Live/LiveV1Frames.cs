using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// Vexa 0.12's <c>/ws</c> frames (also the hosted 1.5's; vexa-0.12.md §5, row 23), read and told to our users in
/// 2025-09's words, the only ones our API has. 0.12 names a meeting by its row id and sends <c>transcript</c> frames in
/// three shapes: a bot's <c>segment</c>; a Teams bot's speaker snapshot (<c>speaker</c>, <c>confirmed</c>, and
/// <c>pending</c>: that speaker's whole pending set); the collector's republish of a batch (the same fields, and the
/// meeting's platform and native id). Segments carry epoch times and a <c>segment_id</c>, and usually arrive twice (bot,
/// then collector). <c>transcript_retract</c> names segments that are gone; <c>meeting.status</c> carries the bot's status.
/// </summary>
public static class LiveV1Frames
{
    public const string Transcript = "transcript";
    public const string Retract = "transcript_retract";

    /// <summary>The segments a <c>transcript</c> frame carries (a bot's one, or a snapshot's confirmed then pending).</summary>
    public static JsonArray Segments(JsonObject frame) => frame["segment"] is JsonObject segment
        ? [segment.DeepClone()]
        : [.. Listed(frame, "confirmed").Concat(Listed(frame, "pending")).Select(s => s.DeepClone())];

    /// <summary>A snapshot's <c>confirmed</c> or <c>pending</c> list.</summary>
    public static IEnumerable<JsonObject> Listed(JsonObject frame, string list) => (frame[list] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The speaker of a bot's speaker snapshot, whose <c>pending</c> replaces that speaker's pending set; null for
    /// other frames (the collector's republish, which names the meeting's native id, only adds its segments).</summary>
    public static string? SnapshotSpeaker(JsonObject frame) =>
        frame["segment"] is null && frame["meeting"]?["native_id"] is null && frame["pending"] is JsonArray && frame["speaker"] is JsonValue speaker
            ? speaker.GetValueKind() == JsonValueKind.String ? speaker.GetValue<string>() : speaker.ToJsonString()
            : null;

    /// <summary>
    /// The frame as our users' sockets get it (2025-09): a <c>transcript</c> as <c>transcript.mutable</c> with its
    /// segments in our shape (clients upsert by <c>start</c>), a <c>meeting.status</c> with the meeting's platform and
    /// native id only. Null for <c>transcript_retract</c>, which 2025-09 cannot say: the segment stays on a client until
    /// it reads <c>GET /transcripts</c> again, where it is gone.
    /// </summary>
    public static byte[]? ForUsers(JsonObject frame, MeetingOwners.Named meeting)
    {
        var ts = frame["ts"]?.DeepClone() ?? VexaDateTime.WithOffset(DateTime.UtcNow);
        JsonObject? ours = frame["type"]?.GetValue<string>() switch
        {
            "meeting.status" => new JsonObject
            {
                ["type"] = "meeting.status", ["meeting"] = LiveProtocol.Meeting(meeting.Platform, meeting.NativeId),
                ["payload"] = new JsonObject { ["status"] = frame["payload"]?["status"]?.DeepClone() }, ["ts"] = ts,
            },
            Transcript => new JsonObject
            {
                ["type"] = "transcript.mutable", ["meeting"] = LiveProtocol.Meeting(meeting.Platform, meeting.NativeId),
                ["payload"] = new JsonObject
                {
                    ["segments"] = new JsonArray([.. WholesalerSegmentsJson.Pushed(Segments(frame), meeting.StartTime).Select(s => (JsonNode)s.Json)]),
                },
                ["ts"] = ts,
            },
            _ => null,
        };
        return ours is null ? null : JsonSerializer.SerializeToUtf8Bytes(ours);
    }
}
