using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Data;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Transcripts;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// Our own copy of every transcript (issue 32, first part): kept in PostgreSQL from the Wholesaler's answers, read from
/// there once a final meeting's whole transcript is stored, deleted with its meeting, and searchable by its owner only.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class TranscriptCopyTests(RetailerFixture fixture)
{
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();
    private readonly IDatabase _redis = fixture.Transcripts.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    private async Task<(long UserId, long MeetingId, long WholesalerId, string MeetId, byte[] Transcript)> CompletedMeetingAsync(int segments = 4)
    {
        var userId = await fixture.NewUserAsync();
        var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(userId, MeetingStatus.Completed);
        await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "completed", segments: segments,
            startTime: DateTime.UtcNow.AddMinutes(-10).ToString("o"), endTime: DateTime.UtcNow.AddMinutes(-1).ToString("o"));
        var first = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        return (userId, meetingId, wholesalerId, meetId, await first.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A live meeting whose Wholesaler holds 3 segments, read once (so our copy holds them), its Redis copy then
    /// evicted: the next read cannot be answered from there.</summary>
    private async Task<(long UserId, long MeetingId, string Path)> LiveMeetingReadOnceAsync()
    {
        var userId = await fixture.NewUserAsync();
        var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(userId, MeetingStatus.Active);
        await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "active", segments: 3, startTime: DateTime.UtcNow.AddMinutes(-5).ToString("o"));
        var path = $"/transcripts/google_meet/{meetId}";
        Assert.Equal(3, (await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, path)).JsonAsync())["segments"]!.AsArray().Count);
        await _redis.KeyDeleteAsync([RedisKeys.TranscriptLive(meetingId), RedisKeys.TranscriptLiveFresh(meetingId)]); // evicted
        return (userId, meetingId, path);
    }

    [Fact]
    public async Task A_completed_transcript_lost_from_the_cache_is_answered_from_our_copy_without_the_Wholesaler()
    {
        var (userId, meetingId, wholesalerId, meetId, transcript) = await CompletedMeetingAsync();
        Assert.Equal(4, JsonNode.Parse(transcript)!["segments"]!.AsArray().Count);
        await using (var db = fixture.NewDbContext())
        {
            Assert.NotNull((await db.Meetings.SingleAsync(m => m.Id == meetingId)).TranscriptStoredAt);
            Assert.Equal(4, await db.TranscriptSegments.CountAsync(s => s.MeetingId == meetingId));
        }
        var asked = await fixture.TranscriptRequestsAsync(wholesalerId);

        await _redis.KeyDeleteAsync(RedisKeys.TranscriptFinal(meetingId)); // what allkeys-lru may do at any time
        var again = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(transcript, await again.Content.ReadAsByteArrayAsync()); // byte for byte
        Assert.Equal(asked, await fixture.TranscriptRequestsAsync(wholesalerId)); // no Wholesaler call
    }

    [Fact]
    public async Task A_live_transcript_the_Wholesaler_cannot_be_asked_about_is_answered_from_our_copy_else_503()
    {
        var (userId, meetingId, path) = await LiveMeetingReadOnceAsync();

        // A Transcripts replica that cannot reach the Wholesaler (its own breaker: the fixture's stays closed).
        await using var cut = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = fixture.Database,
            ["Wholesaler:BaseAddress"] = "http://127.0.0.1:9",
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Webhooks:DispatcherEnabled"] = "false", // it reads; the fixture's Transcripts delivers the outbox
        });
        var ours = await fixture.AsUserAsync(cut.CreateClient(), userId, HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
        Assert.Equal(3, (await ours.JsonAsync())["segments"]!.AsArray().Count);

        await using (var db = fixture.NewDbContext())
        {
            await db.TranscriptSegments.Where(s => s.MeetingId == meetingId).ExecuteDeleteAsync();
        }
        var none = await fixture.AsUserAsync(cut.CreateClient(), userId, HttpMethod.Get, path);
        Assert.True(none.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout,
            $"nothing of ours and no Wholesaler: {(int)none.StatusCode}");
    }

    [Fact]
    public async Task A_meeting_its_Wholesaler_no_longer_knows_is_shown_with_the_transcript_we_hold()
    {
        var (userId, meetingId, path) = await LiveMeetingReadOnceAsync();

        // The Wholesaler restarted without its meetings: the follower failed ours, and the id it mapped is another's.
        await using (var db = fixture.NewDbContext())
        {
            await db.Meetings.Where(m => m.Id == meetingId).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, MeetingStatus.Failed).SetProperty(x => x.WholesalerIssuer, "a-wholesaler-since-restarted"));
        }
        var after = await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, path)).JsonAsync();

        Assert.Equal(MeetingStatus.Failed, after["status"]!.GetValue<string>());
        Assert.Equal(3, after["segments"]!.AsArray().Count); // was 0: what we held went with the Wholesaler's memory
    }

    [Fact]
    public async Task A_meeting_that_ends_is_kept_whole_from_the_read_back_of_its_completion_webhook()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await Task.Delay(300); // a few segments
        await fixture.StopAndWaitCompletedAsync(userId, meetId, meetingId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);

        // Nobody has read the transcript: the completion webhook's read-back was the one read, and it is kept whole.
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = fixture.NewDbContext();
            return (await db.Meetings.SingleAsync(m => m.Id == meetingId)).TranscriptStoredAt is not null;
        });
        var asked = await fixture.TranscriptRequestsAsync(wholesalerId);
        var transcript = await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).JsonAsync();
        Assert.Equal("completed", transcript["status"]!.GetValue<string>());
        Assert.NotEmpty(transcript["segments"]!.AsArray());
        Assert.Equal(asked, await fixture.TranscriptRequestsAsync(wholesalerId)); // served from our copy
    }

    [Fact]
    public async Task Deleting_a_meeting_deletes_our_copy_of_its_transcript()
    {
        var (userId, meetingId, _, meetId, _) = await CompletedMeetingAsync(segments: 2);
        var deleted = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Delete, $"/meetings/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await using var db = fixture.NewDbContext();
        Assert.Equal(0, await db.TranscriptSegments.CountAsync(s => s.MeetingId == meetingId));
    }

    [Fact]
    public async Task A_user_finds_words_of_their_own_transcripts_and_nobody_elses()
    {
        var (alice, meetingId, _, meetId, transcript) = await CompletedMeetingAsync(segments: 6);
        var bob = await fixture.NewUserAsync();
        var segment = JsonNode.Parse(transcript)!["segments"]!.AsArray()[2]!;
        // A word as the search sees one: letters only ("Let's" is two words to it, "Let" and "s").
        var word = System.Text.RegularExpressions.Regex.Split(segment["text"]!.GetValue<string>(), @"[^\p{L}]+").First(w => w.Length > 4);

        var found = await (await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/search?q={Uri.EscapeDataString(word)}")).JsonAsync();
        var results = found["results"]!.AsArray();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal(meetingId, r!["meeting_id"]!.GetValue<long>()));
        Assert.Contains(results, r => r!["text"]!.GetValue<string>() == segment["text"]!.GetValue<string>()
            && r["start"]!.GetValue<double>() == segment["start"]!.GetValue<double>() && r["native_meeting_id"]!.GetValue<string>() == meetId);
        Assert.All(results, r => Assert.Contains($"<b>{word}</b>", r!["snippet"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));

        // Bob has no meeting of his own: whatever he asks, nothing of Alice's.
        var bobs = await (await fixture.AsUserAsync(_transcripts, bob, HttpMethod.Get, $"/transcripts/search?q={Uri.EscapeDataString(word)}")).JsonAsync();
        Assert.Empty(bobs["results"]!.AsArray());
        Assert.False(bobs["has_more"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, "/transcripts/search")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/search?q={word}&limit=0")).StatusCode);
        var one = await (await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/search?q={Uri.EscapeDataString(word)}&limit=1")).JsonAsync();
        Assert.Single(one["results"]!.AsArray());
        Assert.Equal(results.Count > 1, one["has_more"]!.GetValue<bool>());
    }
}
