using System.Text;
using System.Text.Json.Nodes;
using VexaService.Gateway.Live;

namespace VexaService.UnitTests.Gateway;

/// <summary>
/// A native id passed from B's meeting to C's: B's late frames (they carry no meeting id) must not reach C, while C's
/// own frames do (issue 29, finding 3).
/// </summary>
public sealed class LiveHandoverTests
{
    private static readonly DateTime CsMeetingCreated = new(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc);

    private static byte[] Mutable(params string[] absoluteStarts) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["type"] = "transcript.mutable",
        ["meeting"] = new JsonObject { ["platform"] = "google_meet", ["native_id"] = "abc-defg-hij" },
        ["payload"] = new JsonObject
        {
            ["segments"] = new JsonArray([.. absoluteStarts.Select((at, i) => (JsonNode)new JsonObject
            {
                ["start"] = i * 2.0, ["end"] = i * 2.0 + 1, ["text"] = "said at " + at, ["absolute_start_time"] = at,
            })]),
        },
        ["ts"] = "2026-12-06T10:00:30+00:00",
    }.ToJsonString());

    private static List<string> Texts(byte[]? utf8) =>
        utf8 is null ? [] : [.. JsonNode.Parse(utf8)!["payload"]!["segments"]!.AsArray().Select(s => s!["text"]!.GetValue<string>())];

    [Fact]
    public void Bs_segments_said_before_cs_meeting_began_are_dropped_and_cs_kept()
    {
        var mixed = Mutable("2026-12-06T09:59:58.500000", "2026-12-06T10:00:04.250000+00:00", "2026-12-06T10:00:06Z");
        Assert.Equal(["said at 2026-12-06T10:00:04.250000+00:00", "said at 2026-12-06T10:00:06Z"], Texts(LiveHandover.TranscriptFor(mixed, CsMeetingCreated)));
        Assert.Null(LiveHandover.TranscriptFor(Mutable("2026-12-06T09:59:40", "2026-12-06T09:59:59.999"), CsMeetingCreated));
    }

    [Fact]
    public void Cs_own_frame_passes_as_the_same_bytes()
    {
        var own = Mutable("2026-12-06T10:00:04", "2026-12-06T10:00:06");
        Assert.Same(own, LiveHandover.TranscriptFor(own, CsMeetingCreated));
    }

    [Fact]
    public void A_segment_without_a_time_and_every_finalized_frame_are_withheld()
    {
        var untimed = Encoding.UTF8.GetBytes("""{"type":"transcript.mutable","payload":{"segments":[{"start":1.0,"text":"whose?"}]}}""");
        Assert.Null(LiveHandover.TranscriptFor(untimed, CsMeetingCreated));
        var finalized = Encoding.UTF8.GetBytes("""{"type":"transcript.finalized","payload":{"segments":[{"start":1.0,"text":"B's","session_uid":"b"}]}}""");
        Assert.Null(LiveHandover.TranscriptFor(finalized, CsMeetingCreated));
    }

    [Theory]
    [InlineData("active", "completed", false)] // B's late end, while C's meeting is active at the Wholesaler
    [InlineData("active", "stopping", false)]
    [InlineData("completed", "completed", true)]
    [InlineData("completed", "stopping", true)] // C's own stopping, told late
    [InlineData("active", "active", true)]
    [InlineData("in_breakout_room", "in_breakout_room", true)]
    [InlineData(null, "completed", false)] // no answer about C's meeting
    public void A_status_frame_counts_only_as_far_as_the_wholesaler_bears_it_out(string? confirmed, string framed, bool counts) =>
        Assert.Equal(counts, LiveHandover.Confirms(confirmed, framed));
}
