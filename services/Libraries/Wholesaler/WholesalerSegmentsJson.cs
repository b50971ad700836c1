using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Data;

namespace VexaService.Wholesaler;

/// <summary>
/// A transcript's segments in the shape our users know (Vexa 2025-09): <c>start</c> and <c>end</c> in seconds from the
/// meeting's start, each segment once, in order. Vexa 0.12's bot writes epoch seconds instead, and its segments come
/// from two stores that can both hold one <c>segment_id</c> (contract 0.12 §2.6, row 14); Vexa itself tells the two kinds
/// of time apart by size, and so do we. Such segments are then written with 2025-09's fields only (<c>start, end, text,
/// language, created_at, speaker, absolute_start_time, absolute_end_time</c>; absolute times with <c>+00:00</c>):
/// <c>segment_id</c>, <c>completed</c>, <c>speaker_key</c> and <c>source</c> go, and <c>created_at</c>, which 0.12 does not
/// write, is null while a segment can still change and its end once it is <c>completed</c> (2025-09 set it when the
/// segment was stored for good). Segments already in our shape come back exactly as they were.
/// </summary>
public static class WholesalerSegmentsJson
{
    /// <summary>Times at or above this are epoch seconds (2001-09-09), below it seconds into the meeting.</summary>
    public const double EpochThreshold = 1e9;

    /// <param name="meetingStart">When the meeting started (UTC), the origin of the offsets; without it, the earliest
    /// segment's start is.</param>
    public static JsonArray InOurShape(JsonArray segments, DateTime? meetingStart)
    {
        var items = segments.Select(s => s?.DeepClone()).ToList();
        var epoch = items.OfType<JsonObject>().Any(s => Seconds(s["start"]) >= EpochThreshold);
        var hasIds = items.OfType<JsonObject>().Any(s => SegmentId(s) is not null);
        if (!epoch && !hasIds)
        {
            return new JsonArray([.. items]);
        }
        var merged = false;
        if (hasIds)
        {
            // The later copy of a segment is the newer one (Vexa 0.12 merges the stored and the live ones).
            var last = new Dictionary<string, int>();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject s && SegmentId(s) is { } id)
                {
                    last[id] = i;
                }
            }
            var kept = items.Where((s, i) => s is not JsonObject o || SegmentId(o) is not { } id || last[id] == i).ToList();
            merged = kept.Count < items.Count;
            items = kept;
        }
        if (epoch)
        {
            var origin = meetingStart is { } start
                ? new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)).ToUnixTimeMilliseconds() / 1000.0
                : items.OfType<JsonObject>().Select(s => Seconds(s["start"])).Where(t => t >= EpochThreshold).Min() ?? 0;
            foreach (var s in items.OfType<JsonObject>())
            {
                ToOffset(s, "start", "absolute_start_time", origin);
                ToOffset(s, "end", "absolute_end_time", origin);
            }
        }
        if (epoch || merged)
        {
            // Vexa 2025-09 answered in order of start; merged stores need not be (a stable sort keeps ties as they came).
            items = items.OrderBy(s => Seconds(s?["start"]) ?? double.MaxValue).ToList();
        }
        return new JsonArray([.. items.Select(s => s is JsonObject o ? Legacy(o) : s)]);
    }

    /// <summary>
    /// The segments as our copy keeps them (<see cref="StoredSegment"/>): each in our shape, as <see cref="InOurShape"/>
    /// writes it, with its <c>segment_id</c> (0.12) beside it; one per <c>segment_id</c>, the later copy.
    /// </summary>
    public static List<StoredSegment> Identified(JsonArray segments, DateTime? meetingStart)
    {
        var items = segments.OfType<JsonObject>().ToList();
        var last = new Dictionary<string, int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (SegmentId(items[i]) is { } id)
            {
                last[id] = i;
            }
        }
        var origin = Origin(items, meetingStart);
        return [.. items.Where((s, i) => SegmentId(s) is not { } id || last[id] == i)
            .Select(s => new StoredSegment(InOurShape([s.DeepClone()], origin)[0]!.DeepClone().AsObject(), SegmentId(s)))];
    }

    /// <summary>
    /// Segments a live frame pushed, as <see cref="Identified"/>, with only 2025-09's fields it carried: a field the push
    /// lacks (<c>transcript.finalized</c> has no absolute times) is unknown rather than null, and keeps what our copy
    /// holds. Fields of the push that our users' segments do not have (<c>session_uid</c>) go.
    /// </summary>
    public static List<StoredSegment> Pushed(JsonArray segments, DateTime? meetingStart)
    {
        var ours = Identified(segments, meetingStart);
        foreach (var segment in ours.Select(s => s.Json))
        {
            foreach (var field in segment.Select(p => p.Key).Where(f => !LegacyFields.Contains(f)).ToList())
            {
                segment.Remove(field);
            }
        }
        return [.. ours.Select(s => s with { Whole = LegacyFields.All(s.Json.ContainsKey) })];
    }

    /// <summary>The origin of epoch times: the meeting's start, else the earliest epoch start among the segments.</summary>
    private static DateTime? Origin(List<JsonObject> segments, DateTime? meetingStart) =>
        meetingStart ?? (segments.Select(s => Seconds(s["start"])).Where(t => t >= EpochThreshold).Min() is { } earliest
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(earliest * 1000)).UtcDateTime
            : null);

    private static readonly string[] LegacyFields =
        ["start", "end", "text", "language", "created_at", "speaker", "absolute_start_time", "absolute_end_time"];

    private static JsonObject Legacy(JsonObject segment)
    {
        var ours = new JsonObject();
        foreach (var field in LegacyFields)
        {
            var value = segment[field]?.DeepClone();
            if (field is "absolute_start_time" or "absolute_end_time" && Time(value) is { } absolute)
            {
                value = VexaDateTime.WithOffset(absolute);
            }
            else if (field == "created_at" && value is null && segment["completed"] is JsonValue done
                && done.TryGetValue<bool>(out var completed) && completed && Time(segment["absolute_end_time"]) is { } end)
            {
                value = VexaDateTime.Naive(end);
            }
            ours[field] = value;
        }
        return ours;
    }

    private static DateTime? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && VexaDateTime.TryParse(text, out var utc) ? utc : null;

    private static void ToOffset(JsonObject segment, string field, string absoluteField, double origin)
    {
        if (Seconds(segment[field]) is not { } seconds || seconds < EpochThreshold)
        {
            return;
        }
        segment[field] = Math.Round(seconds - origin, 3);
        if (segment[absoluteField] is null)
        {
            segment[absoluteField] = VexaDateTime.WithOffset(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime);
        }
    }

    private static double? Seconds(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) ? d : null;

    private static string? SegmentId(JsonObject segment) => Identity(segment["segment_id"]);

    /// <summary>A <c>segment_id</c> as text (0.12 writes strings; a number is taken as written).</summary>
    public static string? Identity(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };
}
