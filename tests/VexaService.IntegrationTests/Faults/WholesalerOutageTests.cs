using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Faults;

/// <summary>Mixed load through the gateway while the Wholesaler is slow, failing, down, and then back.</summary>
[Collection(FaultCollection.Name)]
public sealed class WholesalerOutageTests(FaultStack stack)
{
    private sealed record Outcome(string Phase, string Call, int Status, TimeSpan Took, string Body);

    [Fact]
    public async Task Only_clean_gateway_errors_during_faults_and_everything_works_after_recovery()
    {
        const int maxBots = 3;
        var users = new List<(long Id, string Key)>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await stack.NewUserAsync(maxBots));
        }
        var outcomes = new ConcurrentBag<Outcome>();
        var phase = "warm-up";
        using var stop = new CancellationTokenSource();

        var workers = users.Select(user => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var meetId = RetailerFixture.NewMeetId();
                await Record("POST /bots", () => stack.SendAsync(user.Key, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId }));
                await Record("GET /bots/status", () => stack.SendAsync(user.Key, HttpMethod.Get, "/bots/status"));
                await Record("GET /meetings", () => stack.SendAsync(user.Key, HttpMethod.Get, "/meetings?limit=5"));
                await Record("GET /transcripts", () => stack.SendAsync(user.Key, HttpMethod.Get, $"/transcripts/google_meet/{meetId}"));
                await Record("DELETE /bots", () => stack.SendAsync(user.Key, HttpMethod.Delete, $"/bots/google_meet/{meetId}"));
                // Paced like real clients: the breaker judges the share of failures in a 10 s window, and an
                // unthrottled loop of cheap successes would dilute a short outage below its threshold.
                await Task.Delay(200);
            }
        })).ToList();

        async Task Record(string call, Func<Task<HttpResponseMessage>> send)
        {
            var startPhase = phase;
            var watch = Stopwatch.StartNew();
            var response = await send();
            // A call in flight while the fault changed met both states: it is judged by neither phase's rule.
            var label = phase == startPhase ? startPhase : $"{startPhase}→{phase}";
            outcomes.Add(new Outcome(label, call, (int)response.StatusCode, watch.Elapsed, await response.Content.ReadAsStringAsync()));
        }

        async Task Phase(string name, string? fault, int millis)
        {
            if (fault is null)
            {
                await stack.Wholesaler.DeleteAsync("/_emulator/faults");
            }
            else
            {
                await stack.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson(fault));
            }
            phase = name;
            await Task.Delay(millis);
        }

        await Phase("warm-up", null, 1000); // JIT and connection pools; not judged
        await Phase("normal", null, 1500);
        // Longer than the 5 s budget: a call in flight when it begins ends within it, and the next one meets it whole
        // (in 4 s a worker could spend the whole phase in one retried call that the next phase then decides).
        await Phase("slow", "{\"latency_ms\": 4000}", 8000);
        await Phase("5xx", "{\"error_rate\": 1.0, \"error_status\": 500}", 3000);
        await Phase("down", "{\"mode\": \"refuse\"}", 3000);
        await Phase("recovering", null, 2500);
        await Phase("recovered", null, 2000);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = outcomes.ToList();
        var summary = string.Join("; ", all.GroupBy(o => o.Phase)
            .Select(g => $"{g.Key}: {g.Count()} calls, " + string.Join(" ", g.GroupBy(o => (o.Call, o.Status)).Select(s => $"{s.Key.Call}={s.Key.Status}×{s.Count()}"))));
        TestContext.Current.SendDiagnosticMessage(summary);

        // Never a 500, never a hang past our timeouts: the suite's Wholesaler budget is 2 s per attempt and 5 s in all per
        // call, and no request waits on two slow calls (a failed one ends the request or, for GET /meetings, the refresh).
        // The margin is for a loaded 2-core machine.
        Assert.DoesNotContain(all, o => o.Status == 500);
        var budget = TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(2.5);
        Assert.All(all, o => Assert.True(o.Took < budget, $"{o.Call} in {o.Phase} took {o.Took}"));
        // The slow phase really met our timeouts: at least one 504 with its detail, from a call that met the slow
        // Wholesaler (one in flight when the fault began counts: its Wholesaler request arrived during it).
        Assert.True(all.Any(o => o.Phase.Contains("slow", StringComparison.Ordinal) && o.Status == 504
            && o.Body.Contains("The meeting service did not answer in time. Please retry later.")), "no 504 while slow: " + summary);
        // The meeting list is served from our database whatever the Wholesaler does.
        Assert.All(all.Where(o => o.Call == "GET /meetings"), o => Assert.True(o.Status == 200, $"GET /meetings in {o.Phase}: {o.Status} {o.Body}"));
        // During faults: successes (e.g. cached or database-only answers) or 502/503/504 with a detail.
        foreach (var o in all.Where(o => o.Status >= 500)) // in any phase, including calls across a switch
        {
            Assert.Contains(o.Status, new[] { 502, 503, 504 });
            Assert.Contains("\"detail\"", o.Body);
        }
        Assert.True(all.Any(o => o.Phase is "5xx" or "down" && o.Status == 503), "the circuit never opened: " + summary);
        // Before and after: every answer is one a user expects (quota 403 is allowed: three bots each).
        Assert.All(all.Where(o => o.Phase is "normal" or "recovered"), o => Assert.True(o.Status < 500, $"{o.Call} in {o.Phase}: {o.Status} {o.Body}"));
        Assert.Contains(all, o => o.Phase == "recovered" && o.Call == "POST /bots" && o.Status == 201);

        // Nothing lost or duplicated once the reconciler has looked: each Wholesaler meeting maps to at most one row,
        // no row waits half-created, no user is over quota, no bot runs unowned.
        await stack.BotManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
        await using var db = stack.NewDbContext();
        var ids = users.Select(u => u.Id).ToList();
        var rows = await db.Meetings.Where(m => ids.Contains(m.UserId)).ToListAsync();
        Assert.DoesNotContain(rows, m => m.WholesalerMeetingId is null && m.Status == MeetingStatus.Requested);
        Assert.Equal(rows.Count(m => m.WholesalerMeetingId is not null), rows.Where(m => m.WholesalerMeetingId is not null).Select(m => m.WholesalerMeetingId).Distinct().Count());
        Assert.All(users, u => Assert.True(rows.Count(m => m.UserId == u.Id && !MeetingStatus.Final.Contains(m.Status)) <= maxBots));
        var mapped = (await db.Meetings.Where(m => m.WholesalerMeetingId != null).Select(m => m.WholesalerMeetingId!.Value).ToListAsync()).ToHashSet();
        var theirs = (await stack.Wholesaler.GetFromJsonAsync<JsonObject>("/meetings"))!["meetings"]!.AsArray();
        Assert.DoesNotContain(theirs, m => m!["status"]!.GetValue<string>() == "active" && !mapped.Contains(m["id"]!.GetValue<long>()));
    }
}
