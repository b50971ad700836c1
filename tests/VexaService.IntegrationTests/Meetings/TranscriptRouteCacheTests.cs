using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Caching;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The cached answer of a plain transcript read, which the gateway serves without asking Transcripts: Transcripts
/// leaves it only for a final meeting, and every change of what the route answers takes it away.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class TranscriptRouteCacheTests(RetailerFixture fixture)
{
    private const string Platform = "google_meet";
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();
    private readonly IDatabase _redis = fixture.Transcripts.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
    private readonly TranscriptRouteCache _routes = fixture.Transcripts.Services.GetRequiredService<TranscriptRouteCache>();

    [Fact]
    public async Task A_completed_transcript_read_leaves_exactly_its_bytes_and_a_meeting_id_read_leaves_nothing()
    {
        var (userId, meetId, meetingId) = await CompletedMeetingAsync();
        var key = TranscriptRouteCache.Key(userId, Platform, meetId);

        var byMeetingId = await ReadAsync(userId, meetId, $"?meeting_id={meetingId}");
        Assert.Equal(HttpStatusCode.OK, byMeetingId.StatusCode);
        Assert.False((await _redis.StringGetAsync(key)).HasValue);

        var plain = await ReadAsync(userId, meetId);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var bytes = await plain.Content.ReadAsByteArrayAsync();
        Assert.Equal(TranscriptRouteCache.Tag(bytes), (string?)await _redis.StringGetAsync(key));
        Assert.Equal(bytes, await CachedAsync(userId, meetId));
        var ttl = await _redis.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TranscriptRouteCache.Lifetime);
    }

    [Fact]
    public async Task A_live_meetings_transcript_is_not_left_for_the_gateway()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(userId, meetId);

        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(userId, meetId)).StatusCode);
        Assert.False((await _redis.StringGetAsync(TranscriptRouteCache.Key(userId, Platform, meetId))).HasValue);
    }

    [Fact]
    public async Task A_new_bot_on_the_same_meeting_takes_the_cached_answer_away_and_the_route_then_names_the_new_meeting()
    {
        var (userId, meetId, completedId) = await CompletedMeetingAsync();
        await ReadAsync(userId, meetId);
        var key = TranscriptRouteCache.Key(userId, Platform, meetId);
        Assert.True((await _redis.StringGetAsync(key)).HasValue);

        var second = await fixture.StartBotAsync(userId, meetId);

        Assert.False((await _redis.StringGetAsync(key)).HasValue);
        var transcript = await (await ReadAsync(userId, meetId)).JsonAsync();
        Assert.Equal(second, transcript["id"]!.GetValue<long>());
        Assert.NotEqual(completedId, second);
        Assert.False((await _redis.StringGetAsync(key)).HasValue); // live: nothing left
    }

    [Fact]
    public async Task Patch_and_delete_take_the_cached_answer_away()
    {
        var (userId, meetId, _) = await CompletedMeetingAsync();
        var key = TranscriptRouteCache.Key(userId, Platform, meetId);

        await ReadAsync(userId, meetId);
        Assert.True((await _redis.StringGetAsync(key)).HasValue);
        var patched = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, $"/meetings/{Platform}/{meetId}",
            new { data = new { name = "Retro" } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False((await _redis.StringGetAsync(key)).HasValue);

        await ReadAsync(userId, meetId);
        Assert.True((await _redis.StringGetAsync(key)).HasValue);
        var deleted = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Delete, $"/meetings/{Platform}/{meetId}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.False((await _redis.StringGetAsync(key)).HasValue);
        Assert.Equal(HttpStatusCode.NotFound, (await ReadAsync(userId, meetId)).StatusCode);
    }

    [Fact]
    public async Task Under_eviction_a_reader_that_raced_a_change_still_cannot_store_its_stale_bytes()
    {
        // Redis runs allkeys-lru: any key may vanish under memory pressure, the route's generation too. Eviction is a
        // key vanishing; here it is made to happen exactly where it hurts: before the reader's read, and again after
        // the change.
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var generationKey = RedisKeys.TranscriptRouteGeneration(userId, TranscriptRouteCache.Route(Platform, meetId));
        await _routes.InvalidateAsync(userId, Platform, meetId);  // an earlier change left a generation
        Assert.True(await _redis.KeyExistsAsync(generationKey)); // (the key this test evicts is the one the cache uses)

        await _redis.KeyDeleteAsync(generationKey);                                // evicted
        var before = await _routes.ReadGenerationAsync(userId, Platform, meetId); // the reader, before its database read
        await _routes.InvalidateAsync(userId, Platform, meetId);                  // a change commits meanwhile
        await _redis.KeyDeleteAsync(generationKey);                                // evicted again
        Assert.False(await _routes.StoreAsync(before!, "stale"u8.ToArray()));
        Assert.False((await _redis.StringGetAsync(TranscriptRouteCache.Key(userId, Platform, meetId))).HasValue);

        // Generations never repeat: a reader after all this stores.
        var after = await _routes.ReadGenerationAsync(userId, Platform, meetId);
        Assert.NotEqual(before!.Value, after!.Value);
        Assert.True(await _routes.StoreAsync(after, "fresh"u8.ToArray()));
        Assert.Equal("fresh"u8.ToArray(), await CachedAsync(userId, meetId));
    }

    [Fact]
    public async Task A_reader_that_raced_a_change_cannot_store_its_stale_bytes()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var key = TranscriptRouteCache.Key(userId, Platform, meetId);

        var before = await _routes.ReadGenerationAsync(userId, Platform, meetId); // the reader, before its database read
        await _routes.InvalidateAsync(userId, Platform, meetId);                  // a change commits meanwhile
        Assert.False(await _routes.StoreAsync(before!, "stale"u8.ToArray()));
        Assert.False((await _redis.StringGetAsync(key)).HasValue);

        var after = await _routes.ReadGenerationAsync(userId, Platform, meetId);
        Assert.True(await _routes.StoreAsync(after!, "fresh"u8.ToArray()));
        Assert.Equal("fresh"u8.ToArray(), await CachedAsync(userId, meetId));
    }

    [Fact]
    public async Task A_read_that_raced_a_change_leaves_nothing_in_either_cache()
    {
        var (userId, meetId, meetingId) = await CompletedMeetingAsync();
        await _redis.KeyDeleteAsync(RedisKeys.TranscriptFinal(meetingId)); // cold: the read goes to the Wholesaler
        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson("{\"latency_ms\": 1500}"));
        try
        {
            var asked = await fixture.WholesalerRequestsAsync();
            var read = ReadAsync(userId, meetId);
            // The read has taken its generation once it waits for the Wholesaler (requests are counted as they arrive).
            await Task.Delay(500);
            for (var i = 0; i < 100 && await fixture.WholesalerRequestsAsync() == asked; i++)
            {
                await Task.Delay(50);
            }
            var patched = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, $"/meetings/{Platform}/{meetId}",
                new { data = new { name = "Raced" } });
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await read).StatusCode);
        }
        finally
        {
            await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        }

        Assert.False((await _redis.StringGetAsync(TranscriptRouteCache.Key(userId, Platform, meetId))).HasValue);
        Assert.False((await _redis.StringGetAsync(RedisKeys.TranscriptFinal(meetingId))).HasValue);
        // The next read fills both again.
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(userId, meetId)).StatusCode);
        Assert.True((await _redis.StringGetAsync(RedisKeys.TranscriptFinal(meetingId))).HasValue);
        Assert.True((await _redis.StringGetAsync(TranscriptRouteCache.Key(userId, Platform, meetId))).HasValue);
    }

    private async Task<(long UserId, string MeetId, long MeetingId)> CompletedMeetingAsync()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/{Platform}/{meetId}");
        await RetailerFixture.WaitUntilAsync(async () =>
            (await (await ReadAsync(userId, meetId)).JsonAsync())["status"]!.GetValue<string>() == "completed");
        // A read follows the Wholesaler, so "completed" can show before its completion webhook arrives; the relay then
        // invalidates the route, and a read racing that rightly stores nothing. Let the webhook land first (it may go
        // to another test's Transcripts, hence no failure), then read until a read's answer is stored.
        try
        {
            await RetailerFixture.WaitUntilAsync(async () =>
            {
                await using var db = TestEnvironment.NewDbContext();
                return await db.WebhookDeliveries.AnyAsync(d => d.MeetingId == meetingId);
            }, timeoutMs: 3_000);
        }
        catch (TimeoutException)
        {
        }
        var key = TranscriptRouteCache.Key(userId, Platform, meetId);
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await ReadAsync(userId, meetId);
            return (await _redis.StringGetAsync(key)).HasValue;
        });
        await _redis.KeyDeleteAsync(key); // each test starts without it
        return (userId, meetId, meetingId);
    }

    /// <summary>The bytes the route's tag names, as the gateway finds them.</summary>
    private async Task<byte[]?> CachedAsync(long userId, string meetId)
    {
        var tag = await _redis.StringGetAsync(TranscriptRouteCache.Key(userId, Platform, meetId));
        return tag.HasValue ? await _routes.TryReadBodyAsync(tag.ToString()) : null;
    }

    private Task<HttpResponseMessage> ReadAsync(long userId, string meetId, string query = "") =>
        fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/{Platform}/{meetId}{query}");
}
