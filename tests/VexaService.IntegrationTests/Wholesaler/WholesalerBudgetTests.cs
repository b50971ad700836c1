using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.IntegrationTests.Wholesaler;

/// <summary>
/// To the Wholesaler we are one user with one rate limit: the running bots are one shared copy, all replicas together
/// stay under one call budget, and the Wholesaler's 429 is waited out, never read as an answer.
/// </summary>
[Collection(BotsCollection.Name)]
public sealed class WholesalerBudgetTests(BotsStack fixture)
{
    [Fact]
    public async Task Tenants_polling_their_bots_share_one_copy_and_each_sees_the_bot_they_just_started()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Wholesaler:RunningBotsMaxAge"] = "00:00:05", ["Wholesaler:BudgetPerSecond"] = "0", ["Wholesaler:SharedStateScope"] = OwnScope(),
        };
        await using var replicaA = fixture.NewBotManager(settings);
        await using var replicaB = fixture.NewBotManager(settings);
        var (a, b) = (replicaA.CreateClient(), replicaB.CreateClient());
        // Both replicas reach Redis (on a loaded machine a new replica's first connection can take seconds; until then it
        // keeps a copy of its own, which our starts on the other replica cannot drop).
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(
            replicaA.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().IsConnected
            && replicaB.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().IsConnected), timeoutMs: 20_000);
        var users = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            users.Add(await fixture.NewUserAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.AsUserAsync(a, users[0], HttpMethod.Get, "/bots/status")).StatusCode); // the copy is made

        var before = await fixture.RunningBotsListingsAsync();
        var polls = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            fixture.AsUserAsync(i % 2 == 0 ? a : b, users[i % users.Count], HttpMethod.Get, "/bots/status")));
        Assert.All(polls, p => Assert.Equal(HttpStatusCode.OK, p.StatusCode));
        var calls = await fixture.RunningBotsListingsAsync() - before;
        TestContext.Current.SendDiagnosticMessage($"200 polls on 2 replicas: {calls} Wholesaler calls");
        Assert.True(calls <= 2, $"{calls} Wholesaler calls for 200 polls"); // the copy may expire once meanwhile

        // A start drops the copy: the user's next poll, on either replica, shows the new bot.
        var meetId = RetailerFixture.NewMeetId();
        var started = await fixture.AsUserAsync(a, users[1], HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var status = await (await fixture.AsUserAsync(b, users[1], HttpMethod.Get, "/bots/status")).JsonAsync();
        Assert.Contains(status["running_bots"]!.AsArray(), bot => bot!["native_meeting_id"]!.GetValue<string>() == meetId);
        // Stopped: the copy is dropped again, and the stopping bot is shown as the Wholesaler now lists it.
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.AsUserAsync(b, users[1], HttpMethod.Delete, $"/bots/google_meet/{meetId}")).StatusCode);
        var afterStop = await fixture.RunningBotsListingsAsync();
        await fixture.AsUserAsync(a, users[1], HttpMethod.Get, "/bots/status");
        Assert.Equal(afterStop + 1, await fixture.RunningBotsListingsAsync());
    }

    [Fact]
    public async Task All_replicas_together_stay_within_the_budget_and_a_refusal_is_a_503_with_retry_after()
    {
        const double perSecond = 4;
        const int burst = 6;
        var settings = new Dictionary<string, string?>
        {
            ["Wholesaler:RunningBotsMaxAge"] = "00:00:00", // every poll would be a call: only the budget holds them back
            ["Wholesaler:BudgetPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Wholesaler:BudgetBurst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Wholesaler:SharedStateScope"] = OwnScope(), // a bucket no other test has spent
        };
        await using var replicaA = fixture.NewBotManager(settings);
        await using var replicaB = fixture.NewBotManager(settings);
        var (a, b) = (replicaA.CreateClient(), replicaB.CreateClient());
        var userId = await fixture.NewUserAsync();

        var before = await fixture.RunningBotsListingsAsync();
        var clock = Stopwatch.StartNew();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 40; i++)
        {
            answers.Add(await fixture.AsUserAsync(i % 2 == 0 ? a : b, userId, HttpMethod.Get, "/bots/status"));
        }
        var elapsed = clock.Elapsed;
        var calls = await fixture.RunningBotsListingsAsync() - before;
        var allowed = burst + perSecond * elapsed.TotalSeconds;
        TestContext.Current.SendDiagnosticMessage($"40 polls in {elapsed.TotalSeconds:F2} s: {calls} Wholesaler calls (budget {allowed:F1})");
        Assert.True(calls <= Math.Ceiling(allowed), $"{calls} calls in {elapsed.TotalSeconds:F2} s; the budget allows {allowed:F1}");
        Assert.Equal(calls, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = answers.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(refused);
        foreach (var answer in refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal(WholesalerUnavailableException.Busy, await answer.DetailAsync());
            Assert.InRange(answer.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);
        }
    }

    [Fact]
    public async Task The_wholesalers_429_is_waited_out_by_every_replica_and_never_fails_a_meeting()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await fixture.NewUserAsync(maxBots: 3);
        var meetingId = await fixture.StartBotAsync(userId, RetailerFixture.NewMeetId());
        var settings = new Dictionary<string, string?>
        {
            ["Wholesaler:RunningBotsMaxAge"] = "00:00:00", ["Wholesaler:BudgetPerSecond"] = "0", ["Reconciler:Grace"] = "00:00:00",
        };
        await using var replicaA = fixture.NewBotManager(settings);
        await using var replicaB = fixture.NewBotManager(settings);
        var (a, b) = (replicaA.CreateClient(), replicaB.CreateClient());

        // Current Vexa's per-key limit, tightened: 3 at once, then one every 2 s.
        (await fixture.Wholesaler.PutAsJsonAsync("/_emulator/behaviour", new { rate_limit_burst = 3, rate_limit_per_second = 0.5 }, ct)).EnsureSuccessStatusCode();
        try
        {
            var limitedBefore = (await fixture.EmulatorStatsAsync())["rate_limited"]!.GetValue<long>();
            var answers = new List<HttpResponseMessage>();
            for (var i = 0; i < 12; i++)
            {
                answers.Add(await fixture.AsUserAsync(i % 2 == 0 ? a : b, userId, HttpMethod.Get, "/bots/status"));
            }
            Assert.Equal(3, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
            foreach (var refused in answers.Skip(3))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal(WholesalerUnavailableException.Busy, await refused.DetailAsync());
                Assert.NotNull(refused.Headers.RetryAfter?.Delta);
            }
            // After the first 429 neither replica called again before its Retry-After.
            Assert.Equal(limitedBefore + 1, (await fixture.EmulatorStatsAsync())["rate_limited"]!.GetValue<long>());

            // Meanwhile a start is refused cleanly, and the follower's pass changes nothing.
            var start = await fixture.AsUserAsync(a, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, start.StatusCode);
            await Assert.ThrowsAsync<WholesalerUnavailableException>(() => replicaA.Services.GetRequiredService<BotReconciler>().RunOnceAsync(ct));
            Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
            await using (var db = fixture.NewDbContext())
            {
                Assert.Equal(1, await db.Meetings.CountAsync(m => m.UserId == userId, ct));
            }

            // Once the Retry-After has passed, calls go through again.
            await RetailerFixture.WaitUntilAsync(async () =>
                (await fixture.AsUserAsync(b, userId, HttpMethod.Get, "/bots/status")).StatusCode == HttpStatusCode.OK, timeoutMs: 6000);
        }
        finally
        {
            (await fixture.Wholesaler.PutAsJsonAsync("/_emulator/behaviour", new { rate_limit_burst = 0 }, CancellationToken.None)).EnsureSuccessStatusCode();
        }
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
    }

    [Fact]
    public async Task With_the_budget_spent_a_live_transcript_read_before_answers_its_last_copy_and_one_never_read_a_503()
    {
        var ct = TestContext.Current.CancellationToken;
        var (reader, other) = (await fixture.NewUserAsync(), await fixture.NewUserAsync());
        var (readerMeet, otherMeet) = (RetailerFixture.NewMeetId(), RetailerFixture.NewMeetId());
        var readerWholesalerId = await fixture.WholesalerIdAsync(await fixture.StartBotAsync(reader, readerMeet));
        await fixture.StartBotAsync(other, otherMeet);
        await Task.Delay(300, ct); // a segment or two
        // Two calls at once, then one every 100 s: the first read spends one, every later one has to do without.
        await using var limited = new ServiceFactory<VexaService.Transcripts.TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = fixture.Database,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Wholesaler:BudgetPerSecond"] = "0.01",
            ["Wholesaler:BudgetBurst"] = "2",
            ["Wholesaler:SharedStateScope"] = OwnScope(), // a bucket of its own: another test's bucket on this address may be empty
            ["Webhooks:DispatcherEnabled"] = "false",
        });
        var client = limited.CreateClient();

        var first = await fixture.AsUserAsync(client, reader, HttpMethod.Get, $"/transcripts/google_meet/{readerMeet}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var before = await fixture.TranscriptRequestsAsync(readerWholesalerId);
        var later = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
        {
            later.Add(await fixture.AsUserAsync(client, reader, HttpMethod.Get, $"/transcripts/google_meet/{readerMeet}"));
            await Task.Delay(250, ct); // past the 1 s freshness of the copy: reads then need the Wholesaler
        }
        Assert.All(later, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.InRange(await fixture.TranscriptRequestsAsync(readerWholesalerId) - before, 0, 1); // the one call left in the bucket
        var body = await later[^1].JsonAsync();
        Assert.Equal("active", body["status"]!.GetValue<string>());
        Assert.NotEmpty(body["segments"]!.AsArray());

        var never = await fixture.AsUserAsync(client, other, HttpMethod.Get, $"/transcripts/google_meet/{otherMeet}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, never.StatusCode);
        Assert.Equal(WholesalerUnavailableException.Busy, await never.DetailAsync());
        Assert.NotNull(never.Headers.RetryAfter?.Delta);
    }

    /// <summary>
    /// The budget, the Wholesaler's throttle and the running-bots copy live in Redis under the Wholesaler's address,
    /// which every test of the collection shares; a bucket drained by one test would still be empty for the next.
    /// </summary>
    private static string OwnScope() => "test-" + Guid.NewGuid().ToString("N");
}
