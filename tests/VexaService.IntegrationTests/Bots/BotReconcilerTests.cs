using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Bots;

/// <summary>The crash window between the Wholesaler call and our commit, and its other inconsistencies, healed.</summary>
[Collection(BotsCollection.Name)]
public sealed class BotReconcilerTests(BotsStack fixture)
{
    [Fact]
    public async Task The_reconciler_adopts_stops_and_marks_what_a_crash_left()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await fixture.NewUserAsync();
        string crashed = RetailerFixture.NewMeetId(), orphan = RetailerFixture.NewMeetId(), neverStarted = RetailerFixture.NewMeetId();
        var longAgo = DateTime.UtcNow.AddHours(-1);

        // Crash window: our row was committed as requested, the Wholesaler started the bot, our completion never ran.
        var started = await fixture.Wholesaler.PostAsJsonAsync("/bots", new { platform = "google_meet", native_meeting_id = crashed }, ct);
        var crashedWholesalerId = (await started.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();
        // A bot the Wholesaler runs for us that no user owns at all.
        var orphanStart = await fixture.Wholesaler.PostAsJsonAsync("/bots", new { platform = "google_meet", native_meeting_id = orphan }, ct);
        var orphanWholesalerId = (await orphanStart.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();

        long crashedRow, neverStartedRow, goneRow;
        await using (var db = fixture.NewDbContext())
        {
            var rows = new[]
            {
                new Meeting { UserId = userId, Platform = "google_meet", NativeMeetingId = crashed, CreatedAt = longAgo, UpdatedAt = longAgo },
                new Meeting { UserId = userId, Platform = "google_meet", NativeMeetingId = neverStarted, CreatedAt = longAgo, UpdatedAt = longAgo },
                new Meeting
                {
                    UserId = userId, Platform = "google_meet", NativeMeetingId = RetailerFixture.NewMeetId(), Status = MeetingStatus.Active,
                    WholesalerMeetingId = 900_000_000 + Random.Shared.Next(1_000_000), CreatedAt = longAgo, UpdatedAt = longAgo,
                },
            };
            db.Meetings.AddRange(rows);
            await db.SaveChangesAsync(ct);
            (crashedRow, neverStartedRow, goneRow) = (rows[0].Id, rows[1].Id, rows[2].Id);
        }

        var report = await fixture.BotManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(ct);

        Assert.True(report.Adopted >= 1 && report.Stopped >= 1 && report.Failed >= 2, report.ToString());
        await using (var db = fixture.NewDbContext())
        {
            var adopted = await db.Meetings.SingleAsync(m => m.Id == crashedRow, ct);
            Assert.Equal(crashedWholesalerId, adopted.WholesalerMeetingId);
            Assert.Equal(MeetingStatus.Active, adopted.Status);
            Assert.Equal(MeetingStatus.Failed, (await db.Meetings.SingleAsync(m => m.Id == neverStartedRow, ct)).Status);
            Assert.Equal(MeetingStatus.Failed, (await db.Meetings.SingleAsync(m => m.Id == goneRow, ct)).Status);
            Assert.False(await db.Meetings.AnyAsync(m => m.WholesalerMeetingId == orphanWholesalerId, ct));
        }
        var theirs = (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>("/meetings", ct))!["meetings"]!.AsArray();
        var orphanNow = theirs.Single(m => m!["id"]!.GetValue<long>() == orphanWholesalerId)!;
        Assert.Contains(orphanNow["status"]!.GetValue<string>(), new[] { "stopping", "completed" });

        // The adopted meeting is the user's: it shows in their bot status.
        var status = await (await fixture.AsUserAsync(fixture.BotManager.CreateClient(), userId, HttpMethod.Get, "/bots/status")).JsonAsync();
        Assert.Contains(status["running_bots"]!.AsArray(), b => b!["meeting_id_from_name"]!.GetValue<string>() == crashedRow.ToString());
    }

    [Fact]
    public async Task A_pass_lists_the_wholesalers_meetings_only_for_a_bot_that_left_unreported_past_the_grace()
    {
        var ct = TestContext.Current.CancellationToken;
        var reconciler = fixture.BotManager.Services.GetRequiredService<BotReconciler>();
        var bots = fixture.BotManager.CreateClient();
        var userId = await fixture.NewUserAsync();
        string running = RetailerFixture.NewMeetId(), left = RetailerFixture.NewMeetId();
        var runningRow = await fixture.StartBotAsync(userId, running);
        var leftRow = await fixture.StartBotAsync(userId, left);
        await fixture.AsUserAsync(bots, userId, HttpMethod.Delete, $"/bots/google_meet/{left}");
        await RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(leftRow) == MeetingStatus.Completed);
        await reconciler.RunOnceAsync(ct); // whatever earlier tests left behind is settled by this pass

        // A running bot and a bot that left and said so: nothing to repair, and the whole list is not fetched.
        var listings = await fixture.MeetingListingsAsync();
        Assert.Equal(new ReconcileReport(0, 0, 0, 0), await reconciler.RunOnceAsync(ct));
        Assert.Equal(listings, await fixture.MeetingListingsAsync());

        // Its completion webhook lost, but only just: the webhook may still come, so the pass waits.
        await fixture.LoseCompletionAsync(leftRow, DateTime.UtcNow);
        Assert.Equal(new ReconcileReport(0, 0, 0, 0), await reconciler.RunOnceAsync(ct));
        Assert.Equal(listings, await fixture.MeetingListingsAsync());
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(leftRow));

        // Lost for longer than the grace period: one listing, and the row takes the Wholesaler's final state.
        await fixture.LoseCompletionAsync(leftRow, DateTime.UtcNow.AddHours(-1));
        var report = await reconciler.RunOnceAsync(ct);
        Assert.True(report.Updated >= 1, report.ToString()); // other tests' rows may be followed in the same pass
        Assert.Equal(listings + 1, await fixture.MeetingListingsAsync());
        await using var db = fixture.NewDbContext();
        var healed = await db.Meetings.SingleAsync(m => m.Id == leftRow, ct);
        Assert.Equal(MeetingStatus.Completed, healed.Status);
        Assert.NotNull(healed.EndTime);
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(runningRow));
    }

    [Fact]
    public async Task A_retry_after_a_lost_answer_adopts_the_bot_instead_of_failing()
    {
        var ct = TestContext.Current.CancellationToken;
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        // The Wholesaler started the bot but our side never recorded it (e.g. the answer was lost and the row released).
        var theirs = await (await fixture.Wholesaler.PostAsJsonAsync("/bots", new { platform = "google_meet", native_meeting_id = meetId }, ct))
            .Content.ReadFromJsonAsync<JsonObject>(ct);
        var listings = await fixture.MeetingListingsAsync();

        var retry = await fixture.AsUserAsync(fixture.BotManager.CreateClient(), userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId });

        Assert.Equal(System.Net.HttpStatusCode.Created, retry.StatusCode);
        var ours = await retry.JsonAsync();
        Assert.Equal("active", ours["status"]!.GetValue<string>());
        Assert.Equal(theirs!["bot_container_id"]!.GetValue<string>(), ours["bot_container_id"]!.GetValue<string>());
        Assert.Equal(theirs["start_time"]!.GetValue<string>(), ours["start_time"]!.GetValue<string>());
        Assert.Equal(listings, await fixture.MeetingListingsAsync()); // found among the running bots, not in the whole history
        await using var db = fixture.NewDbContext();
        Assert.Equal(theirs["id"]!.GetValue<long>(), (await db.Meetings.SingleAsync(m => m.UserId == userId, ct)).WholesalerMeetingId);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(401)]
    [InlineData(429)]
    public async Task A_refused_answer_from_the_wholesaler_is_an_outage_and_leaves_every_live_meeting_live(int refusal)
    {
        var userId = await fixture.NewUserAsync();
        var meetingId = await fixture.StartBotAsync(userId, RetailerFixture.NewMeetId());
        // Its own Redis scope: the throttle a 429 sets holds back this replica, not the replicas of the tests after it.
        await using var botManager = fixture.NewBotManager(new()
        {
            ["Reconciler:Grace"] = "00:00:00", ["Wholesaler:SharedStateScope"] = "test-" + Guid.NewGuid().ToString("N"),
        });

        await fixture.Wholesaler.PutAsync("/_emulator/faults", HttpExtensions.RawJson($"{{\"error_rate\": 1.0, \"error_status\": {refusal}}}"));
        try
        {
            // Not "no bots, no meetings": the pass fails and changes nothing, and the user is told, not shown an empty list.
            await Assert.ThrowsAsync<VexaService.Wholesaler.WholesalerUnavailableException>(() =>
                botManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None));
            var status = await fixture.AsUserAsync(botManager.CreateClient(), userId, HttpMethod.Get, "/bots/status");
            Assert.Equal(refusal == 429 ? 503 : 502, (int)status.StatusCode);
            Assert.Contains("Please retry later.", await status.DetailAsync());
        }
        finally
        {
            await fixture.Wholesaler.DeleteAsync("/_emulator/faults");
        }
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
    }
}
