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

/// <summary>
/// Our meetings follow the Wholesaler's statuses, whichever Vexa it is: pushed by its webhooks (Vexa 2025-09 pushes
/// every change, dfc7c83e only the end), polled by the one follower when a push is lost, and never lost for the owner.
/// </summary>
[Collection(BotsCollection.Name)]
public sealed class StatusFollowingTests(BotsStack fixture)
{
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();

    /// <summary>What docs/api-compatibility.md promises: a pushed change shows within 2 s (measured: well under 100 ms).</summary>
    private static readonly TimeSpan PushBudget = TimeSpan.FromSeconds(2);

    private Task PlayAsync(string version, int stepMs = 1000, bool refuseAdmission = false) => fixture.PlayAsync(version, stepMs, refuseAdmission);

    private Task PlayDefaultAsync() => fixture.PlayAsync(RetailerFixture.Dfc7c83e);

    private async Task<string> OurStatusAsync(long userId, long meetingId) =>
        (await (await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray()
            .Single(m => m!["id"]!.GetValue<long>() == meetingId)!["status"]!.GetValue<string>();

    private async Task<string?> TheirStatusAsync(long wholesalerId) =>
        (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>("/meetings"))!["meetings"]!.AsArray()
            .SingleOrDefault(m => m!["id"]!.GetValue<long>() == wholesalerId)?["status"]?.GetValue<string>();

    /// <summary>
    /// Watches both sides every 50 ms until ours shows <paramref name="until"/>, noting when each status was first seen
    /// at the Wholesaler and here.
    /// </summary>
    private async Task WatchAsync(long userId, long meetingId, long wholesalerId, string until,
        List<(string Status, TimeSpan At)> ours, Dictionary<string, TimeSpan> theirs, Stopwatch clock, int timeoutMs = 15_000)
    {
        var deadline = clock.Elapsed + TimeSpan.FromMilliseconds(timeoutMs);
        while (true)
        {
            if (await TheirStatusAsync(wholesalerId) is { } their)
            {
                theirs.TryAdd(their, clock.Elapsed);
            }
            var our = await OurStatusAsync(userId, meetingId);
            if (ours.Count == 0 || ours[^1].Status != our)
            {
                ours.Add((our, clock.Elapsed));
            }
            if (our == until)
            {
                return;
            }
            Assert.True(clock.Elapsed < deadline, $"never {until}; seen here: {string.Join(" → ", ours.Select(o => o.Status))}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("dfc7c83e")]
    [InlineData("2025-09")]
    public async Task Every_status_the_wholesaler_pushes_shows_within_2_s_and_the_owner_is_told_the_end_once(string version)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var userId = await fixture.NewUserAsync(webhookUrl: receiver.Url);
        await PlayAsync(version, stepMs: 1200);
        try
        {
            var meetId = RetailerFixture.NewMeetId();
            var clock = Stopwatch.StartNew();
            var started = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var answer = await started.JsonAsync();
            Assert.Equal(version == "2025-09" ? "requested" : "active", answer["status"]!.GetValue<string>());
            var meetingId = answer["id"]!.GetValue<long>();
            var wholesalerId = await fixture.WholesalerIdAsync(meetingId);

            // No follower runs in this fixture (its interval is an hour): only the Wholesaler's webhooks move our row.
            var ours = new List<(string Status, TimeSpan At)>();
            var theirs = new Dictionary<string, TimeSpan>();
            await WatchAsync(userId, meetingId, wholesalerId, "active", ours, theirs, clock);
            Assert.Equal(HttpStatusCode.Accepted, (await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}")).StatusCode);
            await WatchAsync(userId, meetingId, wholesalerId, "completed", ours, theirs, clock);

            string[] expected = version == "2025-09"
                ? ["requested", "joining", "awaiting_admission", "active", "stopping", "completed"]
                : ["active", "stopping", "completed"];
            // In order and nothing else. A status may pass unseen by this 50 ms poll when its push came late, after the
            // next one: the writer then moves the meeting through both at once (the owner is still told both), and the
            // next status must then show within the budget of the skipped one (a flake of 7 Dec, under a full run).
            var seen = ours.Select(o => o.Status).ToList();
            Assert.Equal(expected.Where(seen.Contains), seen);
            // A status this poll did not see at the Wholesaler either lasted less than one of its turns (a loaded machine):
            // nothing to judge it by.
            foreach (var skipped in expected.Except(seen).Where(theirs.ContainsKey))
            {
                var after = ours.First(o => Array.IndexOf(expected, o.Status) > Array.IndexOf(expected, skipped));
                Assert.True(after.At - theirs[skipped] < PushBudget,
                    $"{skipped} never showed, and {after.Status} came {(after.At - theirs[skipped]).TotalMilliseconds:F0} ms after it");
            }
            foreach (var (status, at) in ours.Where(o => theirs.ContainsKey(o.Status)))
            {
                var lag = at - theirs[status];
                TestContext.Current.SendDiagnosticMessage($"{version} {status}: shown {lag.TotalMilliseconds:F0} ms after the Wholesaler's");
                Assert.True(lag < PushBudget, $"{status} showed {lag.TotalMilliseconds:F0} ms after the Wholesaler's");
            }

            // Its completion reaches the owner once, with our id.
            await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!receiver.Requests.IsEmpty));
            await Task.Delay(1000); // room for a duplicate to arrive
            var delivered = Assert.Single(receiver.Requests);
            var body = JsonNode.Parse(delivered.Body)!;
            Assert.Equal(meetingId, body["id"]!.GetValue<long>());
            Assert.Equal("completed", body["status"]!.GetValue<string>());
        }
        finally
        {
            await PlayDefaultAsync();
        }
    }

    [Fact]
    public async Task Without_pushes_the_follower_brings_every_change_and_the_owner_still_hears_of_the_end()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var userId = await fixture.NewUserAsync(webhookUrl: receiver.Url);
        await PlayAsync("2025-09", stepMs: 400);
        // Every push lost: the Wholesaler's webhooks go to a port where nothing listens.
        await fixture.Wholesaler.PutAsJsonAsync("/user/webhook", new { webhook_url = $"http://127.0.0.1:{Loopback.FreePort()}/lost" });
        var interval = TimeSpan.FromMilliseconds(500);
        await using var follower = fixture.NewBotManager(new()
        {
            ["Reconciler:Interval"] = interval.ToString(),
            ["Reconciler:PushGrace"] = "00:00:00.200",
            ["Reconciler:Grace"] = "00:00:01",
        });
        follower.StartServer(); // its background follower starts with the host
        try
        {
            var meetId = RetailerFixture.NewMeetId();
            var clock = Stopwatch.StartNew();
            var meetingId = await fixture.StartBotAsync(userId, meetId);
            var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
            var ours = new List<(string Status, TimeSpan At)>();
            var theirs = new Dictionary<string, TimeSpan>();
            await WatchAsync(userId, meetingId, wholesalerId, "active", ours, theirs, clock);
            var lag = ours[^1].At - theirs["active"];
            TestContext.Current.SendDiagnosticMessage($"polled: active shown {lag.TotalMilliseconds:F0} ms after the Wholesaler's (interval {interval.TotalMilliseconds} ms)");
            // One interval, the push grace and a pass, with a margin for a loaded machine.
            Assert.True(lag < interval + TimeSpan.FromSeconds(2.5), $"active showed {lag.TotalMilliseconds:F0} ms late");

            Assert.Equal(HttpStatusCode.Accepted, (await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}")).StatusCode);
            await WatchAsync(userId, meetingId, wholesalerId, "completed", ours, theirs, clock);
            Assert.Equal("completed", ours[^1].Status);
            Assert.DoesNotContain(ours, o => o.Status == "failed");

            // The end, noticed only by the follower, still reaches the owner, once.
            await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!receiver.Requests.IsEmpty));
            await Task.Delay(1000);
            var delivered = Assert.Single(receiver.Requests);
            Assert.Equal(meetingId, JsonNode.Parse(delivered.Body)!["id"]!.GetValue<long>());
        }
        finally
        {
            await fixture.RegisterMainCallbackAsync();
            await PlayDefaultAsync();
        }
    }

    [Fact]
    public async Task A_status_we_do_not_know_is_live_for_quota_duplicates_and_deletion_until_a_final_one_comes()
    {
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(userId);
        // The Wholesaler changes the meeting, then tells us (the webhook is checked against what it holds).
        async Task<HttpResponseMessage> PushAsync(JsonObject payload, string? holds = null)
        {
            if (holds is not null)
            {
                await fixture.WholesalerHoldsAsync(wholesalerId, meetId, holds);
            }
            return await _transcripts.PostAsJsonAsync($"/internal/wholesaler-webhook/{RetailerFixture.CallbackSecret}", payload);
        }
        JsonObject Meeting(string status) => new()
        {
            ["id"] = wholesalerId, ["user_id"] = 1, ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = status,
            ["start_time"] = "2026-12-01T10:00:00.000001", ["end_time"] = status == "completed" ? "2026-12-01T10:30:00" : null, ["data"] = new JsonObject(),
        };

        // A newer Wholesaler reports a status we have never heard of.
        var pushed = await PushAsync(new JsonObject
        {
            ["event_type"] = "meeting.status_change", ["meeting"] = Meeting("in_breakout_room"),
            ["status_change"] = new JsonObject { ["from"] = "active", ["to"] = "in_breakout_room", ["timestamp"] = "2026-12-01T10:05:00" },
        }, holds: "in_breakout_room");
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        Assert.Equal("in_breakout_room", await OurStatusAsync(userId, meetingId));

        // It holds the user's one slot, blocks its native id for every user, and cannot be deleted.
        var second = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal("User has reached the maximum concurrent bot limit (1).", await second.DetailAsync());
        var otherUser = await fixture.NewUserAsync();
        var taken = await fixture.AsUserAsync(_bots, otherUser, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var delete = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Delete, $"/meetings/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);

        // Back to a status we know; a late report of an earlier one does not move it back (an unknown status has no
        // place on the path, so only known ones are ordered); the completion ends it, and is queued once.
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(Meeting("active"), holds: "active")).StatusCode);
        Assert.Equal("active", await OurStatusAsync(userId, meetingId));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(new JsonObject
        {
            ["event_type"] = "meeting.status_change", ["meeting"] = Meeting("joining"),
            ["status_change"] = new JsonObject { ["from"] = "requested", ["to"] = "joining", ["timestamp"] = "2026-12-01T10:00:01" },
        })).StatusCode);
        Assert.Equal("active", await OurStatusAsync(userId, meetingId));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(Meeting("completed"), holds: "completed")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(Meeting("completed"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(Meeting("active"))).StatusCode);
        Assert.Equal("completed", await OurStatusAsync(userId, meetingId));
        await using var db = fixture.NewDbContext();
        Assert.Equal(["meeting.completed"], await db.WebhookDeliveries.Where(d => d.MeetingId == meetingId).Select(d => d.EventKey).ToListAsync());
    }

    [Fact]
    public async Task Pushes_that_arrive_late_or_at_once_still_tell_the_owner_every_change_once_in_order()
    {
        var userId = await fixture.NewUserAsync(events: [WebhookEvents.StatusChange]);
        var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(userId, MeetingStatus.Requested);
        JsonObject Change(string from, string to) => new()
        {
            ["event_type"] = "meeting.status_change",
            ["meeting"] = new JsonObject
            {
                ["id"] = wholesalerId, ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = to, ["data"] = new JsonObject(),
            },
            ["status_change"] = new JsonObject { ["from"] = from, ["to"] = to, ["timestamp"] = "2026-12-01T10:00:01", ["transition_source"] = "bot_callback" },
        };
        async Task PushAsync(JsonObject payload) =>
            Assert.Equal(HttpStatusCode.OK,
                (await _transcripts.PostAsJsonAsync($"/internal/wholesaler-webhook/{RetailerFixture.CallbackSecret}", payload)).StatusCode);

        // Vexa sends each webhook in the background: the second change can overtake the first. (Each webhook is
        // checked against what the Wholesaler holds by then, which is already past the first change.)
        await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "awaiting_admission");
        await PushAsync(Change("joining", "awaiting_admission"));
        await PushAsync(Change("requested", "joining"));
        Assert.Equal("awaiting_admission", await OurStatusAsync(userId, meetingId));
        // Two changes, each pushed three times, all at once, when the Wholesaler has made both.
        await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "stopping");
        await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => new[]
        {
            PushAsync(Change("awaiting_admission", "active")), PushAsync(Change("active", "stopping")),
        }));
        Assert.Equal("stopping", await OurStatusAsync(userId, meetingId));

        await using var db = fixture.NewDbContext();
        var told = (await db.WebhookDeliveries.Where(d => d.MeetingId == meetingId).OrderBy(d => d.Id).Select(d => d.Payload).ToListAsync())
            .Select(p => JsonNode.Parse(p)!["status_change"]!)
            .Select(c => (From: c["from"]!.GetValue<string>(), To: c["to"]!.GetValue<string>()))
            .ToList();
        Assert.Equal([("requested", "joining"), ("joining", "awaiting_admission"), ("awaiting_admission", "active"), ("active", "stopping")], told);
    }

    [Fact]
    public async Task An_event_type_we_do_not_know_is_acknowledged_and_changes_nothing()
    {
        var userId = await fixture.NewUserAsync();
        var (meetingId, wholesalerId, _) = await fixture.SeedMeetingAsync(userId);
        var pushed = await _transcripts.PostAsJsonAsync($"/internal/wholesaler-webhook/{RetailerFixture.CallbackSecret}", new JsonObject
        {
            ["event_type"] = "meeting.recording_ready", ["meeting"] = new JsonObject { ["id"] = wholesalerId, ["status"] = "completed" },
        });
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
    }

    [Fact]
    public async Task A_refused_admission_ends_the_meeting_failed_and_frees_the_slot()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var userId = await fixture.NewUserAsync(maxBots: 1, webhookUrl: receiver.Url);
        await PlayAsync("2025-09", stepMs: 200, refuseAdmission: true);
        try
        {
            var meetId = RetailerFixture.NewMeetId();
            var meetingId = await fixture.StartBotAsync(userId, meetId);
            await RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(meetingId) == MeetingStatus.Failed);
            await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!receiver.Requests.IsEmpty));
            Assert.Equal("failed", JsonNode.Parse(Assert.Single(receiver.Requests).Body)!["status"]!.GetValue<string>());
        }
        finally
        {
            await PlayDefaultAsync();
        }
        // The slot is free again.
        var next = await fixture.StartBotAsync(userId, RetailerFixture.NewMeetId());
        Assert.True(next > 0);
    }

    [Fact]
    public async Task A_meeting_the_wholesaler_keeps_live_after_its_bot_died_is_failed_after_the_grace_and_its_native_id_is_free()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        (await fixture.Wholesaler.PostAsync($"/_emulator/meetings/{wholesalerId}/kill", null, ct)).EnsureSuccessStatusCode();
        Assert.Equal("active", await TheirStatusAsync(wholesalerId)); // Vexa keeps it live for ever

        var stuckAfter = TimeSpan.FromSeconds(1);
        await using var botManager = fixture.NewBotManager(new() { ["Reconciler:Grace"] = "00:00:00", ["Reconciler:StuckAfter"] = stuckAfter.ToString() });
        var reconciler = botManager.Services.GetRequiredService<BotReconciler>();
        await reconciler.RunOnceAsync(ct); // notices the bot missing: it may only be between start and exit
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
        await Task.Delay(stuckAfter + TimeSpan.FromMilliseconds(200), ct);
        await reconciler.RunOnceAsync(ct);
        Assert.Equal(MeetingStatus.Failed, await fixture.MeetingStatusAsync(meetingId));

        // The slot and the native id are free: a new bot for the same meeting is a new meeting.
        var again = await fixture.StartBotAsync(userId, meetId);
        Assert.NotEqual(meetingId, again);
        await using var db = fixture.NewDbContext();
        Assert.Equal(["meeting.failed"], await db.WebhookDeliveries.Where(d => d.MeetingId == meetingId).Select(d => d.EventKey).ToListAsync(ct));
    }

    [Fact]
    public async Task A_meeting_whose_bot_runs_is_never_counted_as_missing()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await fixture.NewUserAsync();
        var meetingId = await fixture.StartBotAsync(userId, RetailerFixture.NewMeetId());
        await using var botManager = fixture.NewBotManager(new() { ["Reconciler:Grace"] = "00:00:00", ["Reconciler:StuckAfter"] = "00:10:00" });
        await botManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(ct);
        await using var db = fixture.NewDbContext();
        var row = await db.Meetings.SingleAsync(m => m.Id == meetingId, ct);
        Assert.Equal(MeetingStatus.Active, row.Status);
        Assert.Null(row.BotMissingSince); // its bot runs
    }

    /// <summary>Until a replica holds the follower's advisory lock (a bigint key shows in pg_locks as two halves).</summary>
    private async Task WaitForFollowerLockAsync(CancellationToken ct)
    {
        const long key = BotReconciler.AdvisoryLockKey;
        await using var db = fixture.NewDbContext();
        for (var i = 0; i < 200; i++)
        {
            var held = await db.Database.SqlQuery<bool>($"""
                SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND classid = {(long)(key >> 32)} AND objid = {key & 0xFFFF_FFFF} AND objsubid = 1) AS "Value"
                """).SingleAsync(ct);
            if (held)
            {
                return;
            }
            await Task.Delay(50, ct);
        }
        Assert.Fail("no replica took the follower's lock within 10 s");
    }

    [Fact]
    public async Task With_two_replicas_only_one_follows_at_a_time()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var replicaA = fixture.NewBotManager();
        await using var replicaB = fixture.NewBotManager();
        var (a, b) = (replicaA.Services.GetRequiredService<BotReconciler>(), replicaB.Services.GetRequiredService<BotReconciler>());

        // A's pass holds the follower's lock while the Wholesaler takes 1.5 s to answer each call (within the 2 s attempt timeout).
        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson("""{"latency_ms": 1500}"""), ct);
        try
        {
            var first = a.RunOnceAsync(ct);
            await WaitForFollowerLockAsync(ct);
            var clock = Stopwatch.StartNew();
            Assert.Equal(new ReconcileReport(0, 0, 0, 0), await b.RunOnceAsync(ct));
            // B saw the lock taken and did nothing: any Wholesaler call, or waiting for A, would take 1.5 s.
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1200), $"B's pass took {clock.ElapsedMilliseconds} ms");
            Assert.False(first.IsCompleted);
            await first;
        }
        finally
        {
            await fixture.Wholesaler.DeleteAsync("/_emulator/faults", ct);
        }

        // Once A is done, B follows.
        var after = await fixture.WholesalerRequestsAsync();
        await b.RunOnceAsync(ct);
        Assert.True(await fixture.WholesalerRequestsAsync() > after);
    }
}
