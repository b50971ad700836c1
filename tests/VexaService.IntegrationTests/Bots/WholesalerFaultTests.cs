using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Bots;

/// <summary>Each Wholesaler fault (emulator fault injection) becomes a clean 502/503/504 and leaves no half-created state.</summary>
[Collection(RetailerCollection.Name)]
public sealed class WholesalerFaultTests(RetailerFixture fixture) : IAsyncLifetime
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
        await using (var db = TestEnvironment.NewDbContext())
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
