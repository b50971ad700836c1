using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VexaService.Gateway.Live;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.IntegrationTests.Meetings;

namespace VexaService.IntegrationTests.Generations;

/// <summary>Vexa 0.12 with a stack of its own for the feed (it subscribes every live meeting of its database): a segment
/// every 200 ms up to 40, each pending for 1.5 s before it is confirmed.</summary>
public sealed class Vexa012FeedStack : GenerationStack
{
    public const int Segments = 40;

    public override string Generation => "0.12";

    protected override void ConfigureEmulator(Dictionary<string, string?> settings)
    {
        base.ConfigureEmulator(settings);
        settings["Emulator:SegmentIntervalMs"] = "200";
        settings["Emulator:MaxSegmentsPerMeeting"] = Segments.ToString();
        settings["Emulator:SegmentFinalizeDelayMs"] = "1500";
    }
}

[CollectionDefinition(Name)]
public sealed class Vexa012FeedCollection : ICollectionFixture<Vexa012FeedStack>
{
    public const string Name = "vexa-0.12-feed";
}

/// <summary>
/// Our copy of live transcripts fed by Vexa 0.12's <c>/ws</c> (issue 32): v1 frames naming the meeting row, each segment
/// twice (bot, collector), <c>transcript_retract</c>, Teams speaker snapshots whose pending set replaces the speaker's,
/// and subscriptions that stay on the row they found, so a new bot on a reused native id must be subscribed again.
/// </summary>
[Collection(Vexa012FeedCollection.Name)]
public sealed class Vexa012FeedTests(Vexa012FeedStack fixture) : IAsyncDisposable
{
    private readonly FeedGateways _gateways = new(fixture);
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();

    public ValueTask DisposeAsync() => _gateways.DisposeAsync();

    /// <summary>Starts a bot and waits until the feed keeps its meeting whole.</summary>
    private async Task<(long MeetingId, long WholesalerId)> StartFedAsync(TranscriptFeed feed, long userId, string platform, string nativeId,
        string? passcode = null)
    {
        var started = await StartAsync(userId, platform, nativeId, passcode);
        await _gateways.WaitFedAsync(feed, started.MeetingId);
        return started;
    }

    private async Task<(long MeetingId, long WholesalerId)> StartAsync(long userId, string platform, string nativeId, string? passcode = null)
    {
        var started = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots",
            new { platform, native_meeting_id = nativeId, passcode });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var meetingId = (await started.JsonAsync())["id"]!.GetValue<long>();
        return (meetingId, await fixture.WholesalerIdAsync(meetingId));
    }

    /// <summary>The Wholesaler's own segments of its meeting (0.12: by id), each once, in order.</summary>
    private async Task<JsonArray> WholesalerSegmentsAsync(long wholesalerId)
    {
        var all = (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>($"/transcripts/by-id/{wholesalerId}"))!["segments"]!.AsArray();
        return new JsonArray([.. all.GroupBy(s => s!["segment_id"]!.GetValue<string>()).Select(g => g.Last()!.DeepClone())]);
    }

    /// <summary>Who said what, in order: what our copy and the Wholesaler's answer must agree on (their times differ in
    /// kind: offsets against epoch seconds).</summary>
    private static List<string> Said(JsonArray segments) => [.. segments.Select(s => $"{s!["speaker"]}: {s["text"]}")];

    private Task ActiveAsync(long meetingId) =>
        RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(meetingId) == "active");

    private async Task<JsonArray> OursAsync(long userId, string platform, string nativeId) =>
        (await _gateways.TranscriptAsync(userId, platform, nativeId))["segments"]!.AsArray();

    [Fact]
    public async Task Segments_pushed_as_v1_frames_are_read_from_our_copy_without_calling_the_Wholesaler()
    {
        var feed = await _gateways.StartFeedAsync("0.12");
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var (meetingId, wholesalerId) = await StartFedAsync(feed, userId, "google_meet", meetId);
        await ActiveAsync(meetingId);
        var asked = await _gateways.QuietCallsAsync(wholesalerId);

        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "google_meet", meetId)).Count == Vexa012FeedStack.Segments, 30_000);

        Assert.Equal(asked, await fixture.TranscriptRequestsAsync(wholesalerId));
        var ours = await OursAsync(userId, "google_meet", meetId);
        Assert.Equal(Said(await WholesalerSegmentsAsync(wholesalerId)), Said(ours));
        Assert.All(ours, s => Assert.True(s!["start"]!.GetValue<double>() < 1e9, "offsets from the meeting's start, not epoch seconds"));
    }

    [Fact]
    public async Task A_retracted_segment_leaves_our_copy()
    {
        var feed = await _gateways.StartFeedAsync("0.12");
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var (meetingId, wholesalerId) = await StartFedAsync(feed, userId, "google_meet", meetId);
        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "google_meet", meetId)).Count >= 4, 15_000);

        // Confirmed already (1.5 s after it appeared): a transcript_retract names it.
        await Task.Delay(1500);
        (await fixture.Wholesaler.PostAsync($"/_emulator/meetings/{wholesalerId}/segments/1/retract", null)).EnsureSuccessStatusCode();

        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "google_meet", meetId)).Count == Vexa012FeedStack.Segments - 1, 30_000);
        Assert.Equal(Said(await WholesalerSegmentsAsync(wholesalerId)), Said(await OursAsync(userId, "google_meet", meetId)));
    }

    [Fact]
    public async Task A_Teams_speaker_snapshot_replaces_the_pending_segments_it_no_longer_lists()
    {
        var feed = await _gateways.StartFeedAsync("0.12");
        var userId = await fixture.NewUserAsync();
        var teamsId = string.Concat(Enumerable.Range(0, 13).Select(_ => (char)('0' + Random.Shared.Next(10))));
        var (meetingId, wholesalerId) = await StartFedAsync(feed, userId, "teams", teamsId, passcode: "Secret123");
        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "teams", teamsId)).Count >= 3, 15_000);

        // The newest segment is pending (confirmed 1.5 s after it appears): taken back now, it is only missing from its
        // speaker's next snapshot (no transcript_retract names it).
        var theirs = await WholesalerSegmentsAsync(wholesalerId);
        var pending = theirs.Last()!;
        Assert.False(pending["completed"]!.GetValue<bool>());
        var index = int.Parse(pending["segment_id"]!.GetValue<string>().Split(':')[1]);
        (await fixture.Wholesaler.PostAsync($"/_emulator/meetings/{wholesalerId}/segments/{index}/retract", null)).EnsureSuccessStatusCode();

        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "teams", teamsId)).Count == Vexa012FeedStack.Segments - 1, 30_000);
        Assert.Equal(Said(await WholesalerSegmentsAsync(wholesalerId)), Said(await OursAsync(userId, "teams", teamsId)));
    }

    [Fact]
    public async Task A_new_bot_on_a_reused_native_id_feeds_the_new_meeting_not_the_old()
    {
        var feed = await _gateways.StartFeedAsync("0.12");
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var (first, _) = await StartFedAsync(feed, userId, "google_meet", meetId);
        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "google_meet", meetId)).Count >= 2, 15_000);
        await fixture.StopAndWaitCompletedAsync(userId, meetId, first);

        // Within the upstream linger the old row's subscription is still there: 0.12 would keep it on the old row.
        var (second, secondWholesalerId) = await StartFedAsync(feed, userId, "google_meet", meetId);
        await ActiveAsync(second);
        var asked = await _gateways.QuietCallsAsync(secondWholesalerId);

        await RetailerFixture.WaitUntilAsync(async () => (await OursAsync(userId, "google_meet", meetId)).Count == Vexa012FeedStack.Segments, 30_000);
        Assert.Equal(asked, await fixture.TranscriptRequestsAsync(secondWholesalerId));
        Assert.Equal(Said(await WholesalerSegmentsAsync(secondWholesalerId)), Said(await OursAsync(userId, "google_meet", meetId)));
    }
}
