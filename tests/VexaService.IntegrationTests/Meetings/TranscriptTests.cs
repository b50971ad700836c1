using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Meetings;

[Collection(RetailerCollection.Name)]
public sealed class TranscriptTests(RetailerFixture fixture)
{
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();

    private async Task<JsonObject> TranscriptAsync(long userId, string meetId, string query = "")
    {
        var response = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).AsObject();
    }

    [Fact]
    public async Task A_user_lists_their_meetings_and_reads_transcripts_with_vexas_exact_fields()
    {
        var userId = await fixture.NewUserAsync();
        var other = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await fixture.StartBotAsync(other, RetailerFixture.NewMeetId());

        var list = await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, "/meetings")).JsonAsync();
        var mine = Assert.Single(list["meetings"]!.AsArray())!;
        Assert.Equal(meetingId, mine["id"]!.GetValue<long>());
        Assert.Equal(userId, mine["user_id"]!.GetValue<long>());

        JsonObject transcript = [];
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            transcript = await TranscriptAsync(userId, meetId);
            return transcript["segments"]!.AsArray().Count >= 2;
        });
        Assert.Equal(["id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "start_time", "end_time", "segments"],
            transcript.Select(p => p.Key));
        Assert.Equal(meetingId, transcript["id"]!.GetValue<long>());
        var segment = transcript["segments"]![0]!.AsObject();
        Assert.Equal(new[] { "start", "end", "text", "language", "created_at", "speaker", "absolute_start_time", "absolute_end_time" }.Order(),
            segment.Select(p => p.Key).Order());
        Assert.EndsWith("+00:00", segment["absolute_start_time"]!.GetValue<string>());
        Assert.True(segment["end"]!.GetValue<double>() > segment["start"]!.GetValue<double>());

        var forOther = await fixture.AsUserAsync(_transcripts, other, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.NotFound, forOther.StatusCode);
        Assert.Equal($"Meeting not found for platform google_meet and ID {meetId}", await forOther.DetailAsync());
    }

    [Fact]
    public async Task Listing_meetings_never_asks_the_wholesaler_and_shows_what_the_follower_learned()
    {
        var userId = await fixture.NewUserAsync();
        string running = RetailerFixture.NewMeetId(), left = RetailerFixture.NewMeetId();
        var runningId = await fixture.StartBotAsync(userId, running);
        var leftId = await fixture.StartBotAsync(userId, left);
        await fixture.StopAndWaitCompletedAsync(userId, left, leftId);

        async Task<Dictionary<long, string>> StatusesAsync() =>
            (await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray()
                .ToDictionary(m => m!["id"]!.GetValue<long>(), m => m!["status"]!.GetValue<string>());

        var requests = await fixture.WholesalerRequestsAsync();
        Assert.Equal(new Dictionary<long, string> { [runningId] = "active", [leftId] = "completed" }, await StatusesAsync());

        // The completion was lost: the listing shows what we hold, without asking the Wholesaler...
        await fixture.LoseCompletionAsync(leftId, DateTime.UtcNow.AddHours(-1));
        Assert.Equal(new Dictionary<long, string> { [runningId] = "active", [leftId] = "active" }, await StatusesAsync());
        Assert.Equal(requests, await fixture.WholesalerRequestsAsync());

        // ...until the follower's next pass has learned the end.
        await fixture.BotManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new Dictionary<long, string> { [runningId] = "active", [leftId] = "completed" }, await StatusesAsync());
    }

    [Fact]
    public async Task Two_users_on_the_same_native_id_each_get_their_own_transcript()
    {
        var alice = await fixture.NewUserAsync();
        var bob = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();

        var aliceMeeting = await fixture.StartBotAsync(alice, meetId);
        await RetailerFixture.WaitUntilAsync(async () => (await TranscriptAsync(alice, meetId))["segments"]!.AsArray().Count > 0);
        await fixture.StopAndWaitCompletedAsync(alice, meetId, aliceMeeting);
        var bobMeeting = await fixture.StartBotAsync(bob, meetId); // now the Wholesaler's newest meeting on this native id
        await RetailerFixture.WaitUntilAsync(async () => (await TranscriptAsync(bob, meetId))["segments"]!.AsArray().Count > 0);

        var aliceTranscript = await TranscriptAsync(alice, meetId);
        var bobTranscript = await TranscriptAsync(bob, meetId);
        Assert.Equal(aliceMeeting, aliceTranscript["id"]!.GetValue<long>());
        Assert.Equal("completed", aliceTranscript["status"]!.GetValue<string>());
        Assert.Equal(bobMeeting, bobTranscript["id"]!.GetValue<long>());
        Assert.Equal("active", bobTranscript["status"]!.GetValue<string>());
        // Bob's bot joined after Alice's meeting ended: his segments are his session's, not hers.
        Assert.True(DateTimeOffset.Parse(bobTranscript["segments"]![0]!["absolute_start_time"]!.GetValue<string>())
            > DateTimeOffset.Parse(aliceTranscript["segments"]!.AsArray()[^1]!["absolute_start_time"]!.GetValue<string>()));

        // Neither can reach the other's meeting by our id.
        var probe = await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/google_meet/{meetId}?meeting_id={bobMeeting}");
        Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
    }

    [Fact]
    public async Task A_wholesaler_answer_naming_another_meeting_is_a_502_and_never_that_meeting()
    {
        var alice = await fixture.NewUserAsync();
        var bob = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var aliceMeeting = await fixture.StartBotAsync(alice, meetId);
        await fixture.StopAndWaitCompletedAsync(alice, meetId, aliceMeeting); // lists only: Alice's transcript is not read
        var bobMeeting = await fixture.StartBotAsync(bob, meetId);     // the Wholesaler's newest on this native id
        await RetailerFixture.WaitUntilAsync(async () => (await TranscriptAsync(bob, meetId))["segments"]!.AsArray().Count > 0);

        // A Wholesaler that resolves the native id to its newest meeting whatever ?meeting_id= asks (Vexa before 2025-09-25).
        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson("{\"ignore_meeting_id\": true}"));
        try
        {
            // Our copy of Alice's finished transcript (kept from her completion webhook's read-back) needs no Wholesaler.
            await RetailerFixture.WaitUntilAsync(async () =>
            {
                await using var db = fixture.NewDbContext();
                return (await db.Meetings.SingleAsync(m => m.Id == aliceMeeting)).TranscriptStoredAt is not null;
            });
            Assert.Equal(aliceMeeting, (await TranscriptAsync(alice, meetId))["id"]!.GetValue<long>());
            // Without that copy (and its cached bytes), the Wholesaler's answer naming another meeting is a 502.
            await using (var db = fixture.NewDbContext())
            {
                await db.TranscriptSegments.Where(s => s.MeetingId == aliceMeeting).ExecuteDeleteAsync();
                await db.Meetings.Where(m => m.Id == aliceMeeting).ExecuteUpdateAsync(u => u.SetProperty(m => m.TranscriptStoredAt, (DateTime?)null));
            }
            await fixture.Transcripts.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase()
                .KeyDeleteAsync(VexaService.Caching.RedisKeys.TranscriptFinal(aliceMeeting));
            var response = await fixture.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("{\"detail\":\"The transcript could not be retrieved reliably. Please retry later.\"}", body);
            Assert.Equal(bobMeeting, (await TranscriptAsync(bob, meetId))["id"]!.GetValue<long>()); // Bob's own is still his
        }
        finally
        {
            await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        }
        Assert.Equal(aliceMeeting, (await TranscriptAsync(alice, meetId))["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Meeting_id_reaches_an_older_meeting_of_the_same_user()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var first = await fixture.StartBotAsync(userId, meetId);
        await fixture.StopAndWaitCompletedAsync(userId, meetId, first);
        var second = await fixture.StartBotAsync(userId, meetId);

        Assert.Equal(second, (await TranscriptAsync(userId, meetId))["id"]!.GetValue<long>());
        Assert.Equal(first, (await TranscriptAsync(userId, meetId, $"?meeting_id={first}"))["id"]!.GetValue<long>());
        var bad = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}?meeting_id=abc");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
    }

    [Fact]
    public async Task A_completed_transcript_costs_one_wholesaler_call_however_often_it_is_read()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        await fixture.StopAndWaitCompletedAsync(userId, meetId, meetingId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);

        var first = await TranscriptAsync(userId, meetId);
        var callsAfterFirst = await TranscriptCallsAsync(wholesalerId);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(first.ToJsonString(), (await TranscriptAsync(userId, meetId)).ToJsonString());
        }
        Assert.Equal(callsAfterFirst, await TranscriptCallsAsync(wholesalerId));

        // PATCH drops the cached copy; the next read comes from our own copy of the transcript, not the Wholesaler.
        await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, $"/meetings/google_meet/{meetId}", new { data = new { name = "Weekly" } });
        Assert.Equal(first.ToJsonString(), (await TranscriptAsync(userId, meetId)).ToJsonString());
        await TranscriptAsync(userId, meetId);
        Assert.Equal(callsAfterFirst, await TranscriptCallsAsync(wholesalerId));
    }

    [Fact]
    public async Task Patch_and_delete_follow_vexas_rules_for_the_callers_own_meetings()
    {
        var userId = await fixture.NewUserAsync();
        var other = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        var path = $"/meetings/google_meet/{meetId}";

        var patched = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, path,
            new { data = new { name = "Standup", participants = new[] { "Ann" }, secret_key = "dropped", notes = (string?)null } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var data = (await patched.JsonAsync())["data"]!.AsObject();
        Assert.Equal("Standup", data["name"]!.GetValue<string>());
        Assert.False(data.ContainsKey("secret_key"));
        var merged = await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, path, new { data = new { notes = "n" } })).JsonAsync();
        Assert.Equal("Standup", merged["data"]!["name"]!.GetValue<string>()); // merged, not replaced

        var empty = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, path, new { data = new { unknown = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("No data provided for update.", await empty.DetailAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, path, new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, path, new { data = new { participants = "Ann" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await fixture.AsUserAsync(_transcripts, other, HttpMethod.Patch, path, new { data = new { name = "mine now" } })).StatusCode);

        var activeDelete = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Delete, path);
        Assert.Equal(HttpStatusCode.Conflict, activeDelete.StatusCode);

        await fixture.StopAndWaitCompletedAsync(userId, meetId, meetingId);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.AsUserAsync(_transcripts, other, HttpMethod.Delete, path)).StatusCode);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        var listings = await fixture.MeetingListingsAsync();
        var deleted = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Delete, path);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal($"Meeting google_meet/{meetId} and all its transcripts have been deleted", (await deleted.JsonAsync())["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).StatusCode);
        // The Wholesaler's copy went too, found without listing the Wholesaler's whole history.
        Assert.Equal(listings, await fixture.MeetingListingsAsync());
        Assert.False(await fixture.WholesalerHasAsync(wholesalerId));
    }

    [Fact]
    public async Task Deleting_a_meeting_leaves_the_wholesalers_copy_when_another_users_newer_meeting_is_what_it_would_delete()
    {
        var (first, second) = (await fixture.NewUserAsync(), await fixture.NewUserAsync());
        var meetId = RetailerFixture.NewMeetId();
        var path = $"/meetings/google_meet/{meetId}";
        var older = await fixture.StartBotAsync(first, meetId);
        await fixture.StopAndWaitCompletedAsync(first, meetId, older);
        var newer = await fixture.StartBotAsync(second, meetId);
        await fixture.StopAndWaitCompletedAsync(second, meetId, newer);
        var (olderAtWholesaler, newerAtWholesaler) = (await fixture.WholesalerIdAsync(older), await fixture.WholesalerIdAsync(newer));

        // The Wholesaler deletes by native id its newest meeting, which is the second user's: it is not asked.
        Assert.Equal(HttpStatusCode.OK, (await fixture.AsUserAsync(_transcripts, first, HttpMethod.Delete, path)).StatusCode);
        Assert.True(await fixture.WholesalerHasAsync(olderAtWholesaler));
        Assert.True(await fixture.WholesalerHasAsync(newerAtWholesaler));
        Assert.Equal(newer, (await TranscriptAsync(second, meetId))["id"]!.GetValue<long>());

        // The second user's meeting is the newest there: its copy is deleted.
        Assert.Equal(HttpStatusCode.OK, (await fixture.AsUserAsync(_transcripts, second, HttpMethod.Delete, path)).StatusCode);
        Assert.False(await fixture.WholesalerHasAsync(newerAtWholesaler));
        Assert.True(await fixture.WholesalerHasAsync(olderAtWholesaler));
    }

    private async Task<int> TranscriptCallsAsync(long wholesalerId) =>
        (await fixture.EmulatorStatsAsync())["transcript_requests"]![wholesalerId.ToString()]?.GetValue<int>() ?? 0;
}
