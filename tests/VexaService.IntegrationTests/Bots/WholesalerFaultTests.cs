using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Bots;

/// <summary>Each Wholesaler fault (emulator fault injection) becomes a clean 502/503/504 and leaves no half-created state.</summary>
[Collection(BotsCollection.Name)]
public sealed class WholesalerFaultTests(BotsStack fixture) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await fixture.Wholesaler.DeleteAsync("/_emulator/faults");

    [Theory]
    [InlineData("{\"mode\": \"refuse\"}", 502, "The meeting service could not be reached. Please retry later.")]
    [InlineData("{\"mode\": \"hang\"}", 504, "The meeting service did not answer in time. Please retry later.")]
    [InlineData("{\"error_rate\": 1.0, \"error_status\": 500}", 502, "The meeting service failed to handle the request. Please retry later.")]
    public async Task A_fault_during_a_start_is_a_clean_error_and_the_user_can_retry(string fault, int status, string detail)
    {
        // A replica of its own, so that this test's failures do not open the shared replicas' circuit.
        await using var botManager = fixture.NewBotManager();
        var bots = botManager.CreateClient();
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson(fault));

        var watch = Stopwatch.StartNew();
        var response = await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        watch.Stop();

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(detail, await response.DetailAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}"); // never hangs past our timeouts
        await using (var db = fixture.NewDbContext())
        {
            Assert.False(await db.Meetings.AnyAsync(m => m.UserId == userId)); // no half-created row, quota slot free
        }

        await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        if (status == 504)
        {
            // The hung request may still have started a bot at the Wholesaler: the retry adopts it.
            await Task.Delay(200);
        }
        var retry = await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    /// <summary>The Wholesaler starts the bot, but its answer comes after our 2 s attempt timeout, or never.</summary>
    public static TheoryData<string, int> LateOrLostAnswers => new()
    {
        { "{\"answer_delay_ms\": 3000}", 504 },
        { "{\"mode\": \"lose_answer\"}", 502 },
    };

    [Theory]
    [MemberData(nameof(LateOrLostAnswers))]
    public async Task A_start_whose_answer_is_late_or_lost_is_adopted_by_the_retry_with_exactly_one_bot(string fault, int status)
    {
        await using var botManager = fixture.NewBotManager();
        var bots = botManager.CreateClient();
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var meetId = RetailerFixture.NewMeetId();
        var startsBefore = await BotStartsAsync();

        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson(fault));
        var first = await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(status, (int)first.StatusCode);
        await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        var running = await RunningBotsForAsync(meetId);
        Assert.Single(running); // the Wholesaler did start it

        var retry = await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(running[0]!["container_id"]!.GetValue<string>(), (await retry.JsonAsync())["bot_container_id"]!.GetValue<string>());
        Assert.Equal(startsBefore + 1, await BotStartsAsync()); // adopted, not started again
        Assert.Single(await RunningBotsForAsync(meetId));
        await using var db = fixture.NewDbContext();
        var row = await db.Meetings.SingleAsync(m => m.UserId == userId);
        Assert.Equal(running[0]!["meeting_id_from_name"]!.GetValue<string>(), row.WholesalerMeetingId.ToString());
    }

    [Theory]
    [MemberData(nameof(LateOrLostAnswers))]
    public async Task A_start_whose_answer_is_late_or_lost_leaves_no_orphan_once_reconciled(string fault, int status)
    {
        await using var botManager = fixture.NewBotManager();
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var meetId = RetailerFixture.NewMeetId();

        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson(fault));
        var first = await fixture.AsUserAsync(botManager.CreateClient(), userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(status, (int)first.StatusCode);
        await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        Assert.Single(await RunningBotsForAsync(meetId));

        // Nobody retries: the bot is nobody's, so the reconciler stops it and the user's quota slot is free.
        var report = await botManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
        Assert.True(report.Stopped >= 1, $"nothing stopped: {report}");
        await RetailerFixture.WaitUntilAsync(async () => (await RunningBotsForAsync(meetId)).Count == 0);
        await using (var db = fixture.NewDbContext())
        {
            Assert.False(await db.Meetings.AnyAsync(m => m.UserId == userId && !MeetingStatus.Final.Contains(m.Status)));
        }
        var fresh = await fixture.AsUserAsync(botManager.CreateClient(), userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
    }

    private async Task<long> BotStartsAsync() => (await fixture.EmulatorStatsAsync())["bot_starts"]!.GetValue<long>();

    private async Task<List<JsonNode?>> RunningBotsForAsync(string meetId) =>
        (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>("/bots/status"))!["running_bots"]!.AsArray()
            .Where(b => b!["native_meeting_id"]!.GetValue<string>() == meetId).ToList();

    [Fact]
    public async Task Repeated_failures_open_the_circuit_and_it_closes_after_recovery()
    {
        await using var botManager = fixture.NewBotManager(new() { ["Wholesaler:BreakerBreakDuration"] = "00:00:01" });
        var bots = botManager.CreateClient();
        var userId = await fixture.NewUserAsync();
        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson("{\"error_rate\": 1.0, \"error_status\": 503}"));

        var statuses = new List<int>();
        for (var i = 0; i < 15; i++)
        {
            statuses.Add((int)(await fixture.AsUserAsync(bots, userId, HttpMethod.Get, "/bots/status")).StatusCode);
        }
        Assert.All(statuses, s => Assert.Contains(s, new[] { 502, 503, 504 }));
        Assert.Contains(503, statuses); // the circuit opened: answered without calling the Wholesaler

        await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        await RetailerFixture.WaitUntilAsync(async () =>
            (await fixture.AsUserAsync(bots, userId, HttpMethod.Get, "/bots/status")).StatusCode == HttpStatusCode.OK);
    }
}
