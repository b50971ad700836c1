using System.Text.Json.Nodes;
using VexaService.Gateway.Live;

namespace VexaService.UnitTests.Gateway;

/// <summary>Vexa 0.12's <c>/ws</c> frames told to our users in 2025-09's words (vexa-0.12.md §5).</summary>
public sealed class LiveV1FramesTests
{
    private static readonly DateTime Start = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly MeetingOwners.Named Meeting = new(new MeetingOwners.Owner(7, 42), "google_meet", "abc-defg-hij", Start);
    private static readonly double StartEpoch = new DateTimeOffset(Start).ToUnixTimeSeconds();

    private static JsonObject Frame(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void A_bots_segment_goes_out_as_transcript_mutable_with_seconds_into_the_meeting()
    {
        var frame = Frame($$$"""
            {"type":"transcript","meeting":{"id":99},"segment":{"segment_id":"99:0","start":{{{StartEpoch + 4}}},"end":{{{StartEpoch + 6}}},
             "text":"Hello","language":"en","speaker":"Ann","speaker_key":"ann","completed":true,"source":"bot",
             "absolute_start_time":"2026-12-01T10:00:04.000Z","absolute_end_time":"2026-12-01T10:00:06.000Z"}}
            """);

        var ours = JsonNode.Parse(LiveV1Frames.ForUsers(frame, Meeting)!)!.AsObject();

        Assert.Equal("transcript.mutable", ours["type"]!.GetValue<string>());
        Assert.Equal("""{"platform":"google_meet","native_id":"abc-defg-hij"}""", ours["meeting"]!.ToJsonString());
        var segment = ours["payload"]!["segments"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["start", "end", "text", "language", "created_at", "speaker", "absolute_start_time", "absolute_end_time"],
            segment.Select(p => p.Key));
        Assert.Equal((4.0, 6.0), (segment["start"]!.GetValue<double>(), segment["end"]!.GetValue<double>()));
        Assert.NotNull(ours["ts"]);
    }

    [Fact]
    public void A_status_names_the_meeting_by_platform_and_native_id_only()
    {
        var frame = Frame("""{"type":"meeting.status","meeting":{"id":99,"platform":"google_meet","native_id":"abc-defg-hij"},"payload":{"status":"needs_help"},"user_id":1,"ts":"2026-12-01T10:00:00+00:00"}""");

        Assert.Equal("""{"type":"meeting.status","meeting":{"platform":"google_meet","native_id":"abc-defg-hij"},"payload":{"status":"needs_help"},"ts":"2026-12-01T10:00:00\u002B00:00"}""",
            System.Text.Encoding.UTF8.GetString(LiveV1Frames.ForUsers(frame, Meeting)!));
    }

    [Fact]
    public void A_retraction_cannot_be_said_in_2025_09_and_is_not_relayed() =>
        Assert.Null(LiveV1Frames.ForUsers(Frame("""{"type":"transcript_retract","meeting":{"id":99},"segment_ids":["99:0"]}"""), Meeting));

    [Theory]
    [InlineData("""{"type":"transcript","meeting":{"id":99},"speaker":"ann","confirmed":[],"pending":[]}""", "ann")]
    [InlineData("""{"type":"transcript","meeting":{"id":99,"native_id":"abc-defg-hij","platform":"google_meet"},"speaker":"ann","confirmed":[],"pending":[]}""", null)]
    [InlineData("""{"type":"transcript","meeting":{"id":99},"segment":{"segment_id":"99:0"}}""", null)]
    public void Only_a_bots_speaker_snapshot_replaces_the_speakers_pending_set(string frame, string? speaker) =>
        Assert.Equal(speaker, LiveV1Frames.SnapshotSpeaker(Frame(frame)));
}
