using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VexaService.Data;
using VexaService.Gateway;
using VexaService.Gateway.Live;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Observability;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>A stack of its own (the feed subscribes every live meeting of its database): Vexa 2025-09 pushing statuses,
/// a segment every 200 ms up to 40 per meeting, so a meeting is live for a few seconds of transcript.</summary>
public sealed class FeedStack : RetailerFixture
{
    public const int Segments = 40;

    protected override bool OwnDatabase => true;

    protected override void ConfigureEmulator(Dictionary<string, string?> settings)
    {
        settings["Emulator:Behaviour"] = September2025;
        settings["Emulator:StatusStepMs"] = "100";
        settings["Emulator:SegmentIntervalMs"] = "200";
        settings["Emulator:MaxSegmentsPerMeeting"] = Segments.ToString();
    }
}

[CollectionDefinition(Name)]
public sealed class FeedCollection : ICollectionFixture<FeedStack>
{
    public const string Name = "transcript-feed";
}

/// <summary>Gateway replicas with the transcript feed on, over a stack's database and emulator; disposed with the test.</summary>
public sealed class FeedGateways(RetailerFixture fixture) : IAsyncDisposable
{
    private readonly List<ServiceFactory<GatewayMarker>> _gateways = [];

    public ServiceFactory<GatewayMarker> Start(string generation = "2025-09")
    {
        var gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = fixture.Database,
            ["Live:WholesalerUrl"] = fixture.EmulatorUrl,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Wholesaler:Generation"] = generation,
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Live:Feed"] = "true",
            ["Live:FeedIntervalMs"] = "200",
            ["services:admin-api:http:0"] = "http://127.0.0.1:9",
            ["services:bot-manager:http:0"] = "http://127.0.0.1:9",
            ["services:transcripts:http:0"] = "http://127.0.0.1:9",
        });
        gateway.UseKestrelOn(Loopback.FreePort());
        gateway.StartServer();
        _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Stops one replica now (the others carry on).</summary>
    public async Task StopAsync(ServiceFactory<GatewayMarker> gateway)
    {
        _gateways.Remove(gateway);
        await gateway.DisposeAsync();
    }

    public static TranscriptFeed Feed(ServiceFactory<GatewayMarker> gateway) => gateway.Services.GetRequiredService<TranscriptFeed>();

    /// <summary>A replica whose feed is running (it leads, its socket is open).</summary>
    public async Task<TranscriptFeed> StartFeedAsync(string generation = "2025-09")
    {
        var feed = Feed(Start(generation));
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(feed.Epoch is not null));
        return feed;
    }

    /// <summary>Waits until the meeting's copy is whole under the feed's current epoch.</summary>
    public async Task WaitFedAsync(TranscriptFeed feed, long meetingId) =>
        await RetailerFixture.WaitUntilAsync(async () => feed.Epoch is { } epoch && await FedAsync(meetingId) == epoch, 15_000);

    public async Task<string?> FedAsync(long meetingId)
    {
        await using var db = fixture.NewDbContext();
        return await db.Meetings.Where(m => m.Id == meetingId).Select(m => m.TranscriptFed).SingleAsync();
    }

    /// <summary>A user's transcript as Transcripts answers it.</summary>
    public async Task<JsonObject> TranscriptAsync(long userId, string platform, string nativeId)
    {
        var response = await fixture.AsUserAsync(fixture.Transcripts.CreateClient(), userId, HttpMethod.Get, $"/transcripts/{platform}/{nativeId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonObject)await response.JsonAsync();
    }

    /// <summary>
    /// Waits until the Wholesaler has had no call about the meeting for a second, and returns how many it has had: the
    /// bookkeeping of its start is over (each status webhook is confirmed by a read-back, and a status the feed's frames
    /// brought first does not wait for those), so a reader's call would show.
    /// </summary>
    public async Task<long> QuietCallsAsync(long wholesalerId)
    {
        var calls = await fixture.TranscriptRequestsAsync(wholesalerId);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(1000);
            var now = await fixture.TranscriptRequestsAsync(wholesalerId);
            if (now == calls)
            {
                return calls;
            }
            calls = now;
        }
        return calls;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }
    }
}

/// <summary>
/// Our own copy of live transcripts (issue 32): one gateway replica follows every live meeting's frames into
/// PostgreSQL, and Transcripts answers live reads from that copy without calling the Wholesaler, as long as the copy is
/// whole (caught up after the subscription, no frame lost since).
/// </summary>
[Collection(FeedCollection.Name)]
public sealed class TranscriptFeedTests(FeedStack fixture) : IAsyncDisposable
{
    private readonly FeedGateways _gateways = new(fixture);

    public ValueTask DisposeAsync() => _gateways.DisposeAsync();

    private ServiceFactory<GatewayMarker> StartGateway() => _gateways.Start();

    private static TranscriptFeed Feed(ServiceFactory<GatewayMarker> gateway) => FeedGateways.Feed(gateway);

    private Task<string?> FedAsync(long meetingId) => _gateways.FedAsync(meetingId);

    private Task WaitFedAsync(TranscriptFeed feed, long meetingId) => _gateways.WaitFedAsync(feed, meetingId);

    private Task<JsonObject> TranscriptAsync(long userId, string meetId) => _gateways.TranscriptAsync(userId, "google_meet", meetId);

    private static MetricCollector<long> FeedSegments(ServiceFactory<GatewayMarker> gateway) =>
        new(gateway.Services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName, "vexa.transcripts.feed_segments");

    /// <summary>The Wholesaler's own segments of its meeting (a call of the test's, made after the counting).</summary>
    private async Task<JsonArray> WholesalerSegmentsAsync(string meetId, long wholesalerId) =>
        (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>($"/transcripts/google_meet/{meetId}?meeting_id={wholesalerId}"))!["segments"]!.AsArray();

    /// <summary>Each segment's start and text, which the feed and the Wholesaler's REST answer must agree on.</summary>
    private static List<string> Said(JsonArray segments) =>
        [.. segments.Select(s => $"{s!["start"]!.GetValue<double>():F3} {s["speaker"]}: {s["text"]}")];

    [Fact]
    public async Task Live_segments_arrive_through_the_feed_and_are_read_without_calling_the_Wholesaler()
    {
        var feed = await _gateways.StartFeedAsync();
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await WaitFedAsync(feed, meetingId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        var asked = await _gateways.QuietCallsAsync(wholesalerId);

        // Read while the bot is still talking, until all its segments have come through the feed.
        var counts = new List<int>();
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            var transcript = await TranscriptAsync(userId, meetId);
            Assert.True(MeetingStatus.IsLive(transcript["status"]!.GetValue<string>()));
            counts.Add(transcript["segments"]!.AsArray().Count);
            await Task.Delay(100);
            return counts[^1] == FeedStack.Segments;
        }, 30_000);

        Assert.Equal(asked, await fixture.TranscriptRequestsAsync(wholesalerId)); // none of those reads asked the Wholesaler
        Assert.True(counts.Distinct().Count() > 1, $"the transcript grew while it was read: {string.Join(",", counts)}");
        Assert.Equal(Said(await WholesalerSegmentsAsync(meetId, wholesalerId)), Said((await TranscriptAsync(userId, meetId))["segments"]!.AsArray()));
    }

    [Fact]
    public async Task A_dropped_upstream_socket_loses_nothing_the_meeting_is_caught_up_over_REST()
    {
        var gateway = StartGateway();
        var feed = Feed(gateway);
        var written = FeedSegments(gateway);
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(feed.Epoch is not null));
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await WaitFedAsync(feed, meetingId);
        var before = feed.Epoch;

        // The Wholesaler's socket drops while the bot talks: what it says meanwhile reaches us by no frame.
        (await fixture.Wholesaler.PostAsync("/_emulator/ws/drop", null)).EnsureSuccessStatusCode();
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(feed.Epoch is { } now && now != before));
        await WaitFedAsync(feed, meetingId);
        Assert.Contains(written.GetMeasurementSnapshot(), m => Equals(m.Tags.GetValueOrDefault("source"), "caught_up") && m.Value > 0);

        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        await RetailerFixture.WaitUntilAsync(async () =>
            (await TranscriptAsync(userId, meetId))["segments"]!.AsArray().Count == FeedStack.Segments, 30_000);
        Assert.Equal(Said(await WholesalerSegmentsAsync(meetId, wholesalerId)), Said((await TranscriptAsync(userId, meetId))["segments"]!.AsArray()));
    }

    [Fact]
    public async Task Two_replicas_one_feed_each_segment_written_once_and_the_other_takes_over()
    {
        var (first, second) = (StartGateway(), StartGateway());
        var (firstWrites, secondWrites) = (FeedSegments(first), FeedSegments(second));
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(Feed(first).IsLeading || Feed(second).IsLeading));
        var (leader, follower) = Feed(first).IsLeading ? (first, second) : (second, first);
        var (leaderWrites, followerWrites) = leader == first ? (firstWrites, secondWrites) : (secondWrites, firstWrites);
        Assert.False(Feed(follower).IsLeading);

        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await WaitFedAsync(Feed(leader), meetingId);
        await RetailerFixture.WaitUntilAsync(async () =>
            (await TranscriptAsync(userId, meetId))["segments"]!.AsArray().Count >= 3, 15_000);
        Assert.NotEmpty(leaderWrites.GetMeasurementSnapshot());
        Assert.Empty(followerWrites.GetMeasurementSnapshot()); // every segment was written by one replica

        // The leader goes away: the other replica takes the feed, catches the meeting up and carries on.
        await _gateways.StopAsync(leader);
        await WaitFedAsync(Feed(follower), meetingId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        await RetailerFixture.WaitUntilAsync(async () =>
            (await TranscriptAsync(userId, meetId))["segments"]!.AsArray().Count == FeedStack.Segments, 30_000);
        Assert.NotEmpty(followerWrites.GetMeasurementSnapshot());
        Assert.Equal(Said(await WholesalerSegmentsAsync(meetId, wholesalerId)), Said((await TranscriptAsync(userId, meetId))["segments"]!.AsArray()));
    }

    [Fact]
    public async Task A_meeting_users_read_is_made_whole_by_their_reads_without_a_call_of_the_feed()
    {
        // A live meeting read over REST (no feed yet): its readers fetch it from the Wholesaler at most once a second.
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(meetingId) == MeetingStatus.Active);
        await TranscriptAsync(userId, meetId);

        // The feed starts: one of those fetches, begun after its subscription, makes the copy whole instead of its own call.
        var gateway = StartGateway();
        var catchUps = new MetricCollector<long>(gateway.Services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName,
            "vexa.transcripts.feed_catch_ups");
        var feed = Feed(gateway);
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await TranscriptAsync(userId, meetId);
            return feed.Epoch is { } epoch && await FedAsync(meetingId) == epoch;
        }, 15_000);

        // The stack's other live meetings (earlier tests') nobody reads: the feed calls for those.
        Assert.Contains(catchUps.GetMeasurementSnapshot(), m => Equals(m.Tags.GetValueOrDefault("by"), "readers"));
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        await RetailerFixture.WaitUntilAsync(async () =>
            (await TranscriptAsync(userId, meetId))["segments"]!.AsArray().Count == FeedStack.Segments, 30_000);
        Assert.Equal(Said(await WholesalerSegmentsAsync(meetId, wholesalerId)), Said((await TranscriptAsync(userId, meetId))["segments"]!.AsArray()));
    }

    [Fact]
    public async Task Without_a_feed_a_live_transcript_is_read_from_the_Wholesaler()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(meetingId) == MeetingStatus.Active);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        var asked = await fixture.TranscriptRequestsAsync(wholesalerId);

        await TranscriptAsync(userId, meetId);

        Assert.Null(await FedAsync(meetingId));
        Assert.Equal(asked + 1, await fixture.TranscriptRequestsAsync(wholesalerId));
    }
}
