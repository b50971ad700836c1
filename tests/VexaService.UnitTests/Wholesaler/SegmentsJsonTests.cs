using System.Text.Json.Nodes;
using VexaService.Wholesaler;

namespace VexaService.UnitTests.Wholesaler;

/// <summary>Segments as our users know them (offsets, each once, in order), whichever Vexa wrote them.</summary>
public sealed class SegmentsJsonTests
{
    private static readonly DateTime MeetingStart = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly double StartEpoch = new DateTimeOffset(MeetingStart).ToUnixTimeSeconds();

    [Fact]
    public void Segments_in_our_shape_come_back_exactly_as_they_were()
    {
        var segments = JsonNode.Parse("""
            [{"start":0.5,"end":2.25,"text":"Hello","language":"en","speaker":"Ann","absolute_start_time":"2026-12-01T10:00:00.500000"},
             {"start":2.5,"end":4.0,"text":"Hi","language":"en","speaker":null}]
            """)!.AsArray();
        Assert.Equal(segments.ToJsonString(), WholesalerSegmentsJson.InOurShape(segments, MeetingStart).ToJsonString());
    }

    [Fact]
    public void Epoch_seconds_of_vexa_012_become_seconds_into_the_meeting_with_the_absolute_time_kept()
    {
        var segments = new JsonArray(
            new JsonObject { ["start"] = StartEpoch + 12.5, ["end"] = StartEpoch + 14.25, ["text"] = "Later", ["segment_id"] = "b" },
            new JsonObject { ["start"] = StartEpoch + 3, ["end"] = StartEpoch + 5, ["text"] = "First", ["segment_id"] = "a" });

        var ours = WholesalerSegmentsJson.InOurShape(segments, MeetingStart);

        Assert.Equal(["First", "Later"], ours.Select(s => s!["text"]!.GetValue<string>()));
        Assert.Equal(3, ours[0]!["start"]!.GetValue<double>());
        Assert.Equal(5, ours[0]!["end"]!.GetValue<double>());
        Assert.Equal(12.5, ours[1]!["start"]!.GetValue<double>());
        Assert.Equal(14.25, ours[1]!["end"]!.GetValue<double>());
        Assert.Equal("2026-12-01T10:00:12.500000+00:00", ours[1]!["absolute_start_time"]!.GetValue<string>());
    }

    [Fact]
    public void Without_a_meeting_start_the_earliest_segment_is_second_zero()
    {
        var segments = new JsonArray(
            new JsonObject { ["start"] = StartEpoch + 40, ["end"] = StartEpoch + 41, ["text"] = "a" },
            new JsonObject { ["start"] = StartEpoch + 42, ["end"] = StartEpoch + 44.5, ["text"] = "b" });

        var ours = WholesalerSegmentsJson.InOurShape(segments, meetingStart: null);

        Assert.Equal([0.0, 2.0], ours.Select(s => s!["start"]!.GetValue<double>()));
        Assert.Equal(4.5, ours[1]!["end"]!.GetValue<double>());
    }

    [Fact]
    public void A_segment_held_twice_is_shown_once_as_its_later_copy_in_order_of_start()
    {
        var segments = new JsonArray(
            new JsonObject { ["start"] = 1.0, ["end"] = 2.0, ["text"] = "Hel", ["segment_id"] = "s1", ["completed"] = false },
            new JsonObject { ["start"] = 2.0, ["end"] = 3.0, ["text"] = "Other", ["segment_id"] = "s2" },
            new JsonObject { ["start"] = 1.0, ["end"] = 2.5, ["text"] = "Hello", ["segment_id"] = "s1", ["completed"] = true },
            new JsonObject { ["start"] = 4.0, ["end"] = 5.0, ["text"] = "No id" });

        var ours = WholesalerSegmentsJson.InOurShape(segments, MeetingStart);

        Assert.Equal(["Hello", "Other", "No id"], ours.Select(s => s!["text"]!.GetValue<string>()));
    }

    [Fact]
    public void A_0_12_segment_has_2025_09s_fields_only_created_once_it_is_completed()
    {
        var segments = new JsonArray(
            new JsonObject
            {
                ["start"] = StartEpoch + 3, ["end"] = StartEpoch + 5, ["text"] = "Done", ["language"] = "en", ["speaker"] = "Ann",
                ["speaker_key"] = "k1", ["source"] = "audio", ["completed"] = true, ["segment_id"] = "a",
                ["absolute_start_time"] = "2026-12-01T10:00:03.000Z", ["absolute_end_time"] = "2026-12-01T10:00:05.000Z",
            },
            new JsonObject
            {
                ["start"] = StartEpoch + 6, ["end"] = StartEpoch + 7, ["text"] = "Still talking", ["language"] = "en", ["speaker"] = "",
                ["completed"] = false, ["segment_id"] = "b",
                ["absolute_start_time"] = "2026-12-01T10:00:06.000000Z", ["absolute_end_time"] = "2026-12-01T10:00:07.000000Z",
            });

        var ours = WholesalerSegmentsJson.InOurShape(segments, MeetingStart);

        Assert.All(ours, s => Assert.Equal(["start", "end", "text", "language", "created_at", "speaker", "absolute_start_time", "absolute_end_time"],
            s!.AsObject().Select(p => p.Key)));
        Assert.Equal("2026-12-01T10:00:05", ours[0]!["created_at"]!.GetValue<string>());
        Assert.Null(ours[1]!["created_at"]);
        Assert.Equal(("2026-12-01T10:00:03+00:00", "2026-12-01T10:00:07+00:00"),
            (ours[0]!["absolute_start_time"]!.GetValue<string>(), ours[1]!["absolute_end_time"]!.GetValue<string>()));
    }

    [Fact]
    public void Our_copy_keeps_each_012_segment_once_with_its_id_beside_it_in_our_shape()
    {
        var segments = new JsonArray(
            new JsonObject { ["start"] = StartEpoch + 3, ["end"] = StartEpoch + 5, ["text"] = "Draft", ["segment_id"] = "a", ["completed"] = false },
            new JsonObject { ["start"] = StartEpoch + 7, ["end"] = StartEpoch + 8, ["text"] = "Next", ["segment_id"] = "b", ["completed"] = false },
            new JsonObject { ["start"] = StartEpoch + 3, ["end"] = StartEpoch + 5.5, ["text"] = "Final", ["segment_id"] = "a", ["completed"] = true });

        var stored = WholesalerSegmentsJson.Identified(segments, MeetingStart);

        Assert.Equal([("b", "Next", 7.0), ("a", "Final", 3.0)],
            stored.Select(s => (s.SegmentId, s.Json["text"]!.GetValue<string>(), s.Json["start"]!.GetValue<double>())));
        Assert.Equal(InShape(WholesalerSegmentsJson.InOurShape(new JsonArray(segments[1]!.DeepClone()), MeetingStart)[0]!), InShape(stored[0].Json));
        Assert.All(stored, s => Assert.Null(s.Json.Parent)); // each its own node, to be put in a frame
    }

    [Fact]
    public void A_pushed_2025_09_segment_keeps_only_our_fields_and_only_those_it_carried()
    {
        var finalized = JsonNode.Parse("""[{"start":1.5,"end":2.0,"text":"Done","language":"en","speaker":"Ann","session_uid":"s-1"}]""")!.AsArray();

        var pushed = WholesalerSegmentsJson.Pushed(finalized, MeetingStart).Single();

        Assert.Null(pushed.SegmentId);
        Assert.Equal("""{"start":1.5,"end":2.0,"text":"Done","language":"en","speaker":"Ann"}""", pushed.Json.ToJsonString());
    }

    private static string InShape(JsonNode segment) => segment.ToJsonString();
}
