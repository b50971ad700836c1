using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The Wholesaler's callback is a hint (issue 29, finding 4): whoever learns its URL, or replays an old webhook, changes
/// nothing that the Wholesaler, asked about the meeting, does not bear out.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class CallbackReadBackTests(RetailerFixture fixture)
{
    private readonly HttpClient _callback = fixture.Transcripts.CreateClient();

    [Fact]
    public async Task A_forged_final_callback_changes_nothing_and_tells_nobody_until_the_wholesaler_ends_the_meeting()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var userId = await fixture.NewUserAsync(webhookUrl: hook.Url);
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        var before = await RowAsync(meetingId);
        Assert.Equal(MeetingStatus.Active, before.Status);

        // The attacker marks it final with forged data and an earlier start (billing), then pins it with a status we do
        // not know; each also claiming to come from another Wholesaler instance, and each sent twice (a replay).
        JsonObject Forged(string status) => new()
        {
            ["id"] = wholesalerId, ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = status,
            ["start_time"] = "2020-01-01T00:00:00", ["end_time"] = "2020-01-01T09:00:00",
            ["data"] = new JsonObject { ["participants"] = new JsonArray("Mallory"), ["languages"] = new JsonArray("xx") },
        };
        foreach (var forged in new[] { Forged("completed"), Forged("in_breakout_room"), Forged("failed") })
        {
            foreach (var instance in new[] { null, "an-instance-that-never-was" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}")
                {
                    Content = JsonContent.Create(forged),
                };
                if (instance is not null)
                {
                    request.Headers.Add("X-Wholesaler-Instance", instance);
                }
                var answer = await _callback.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode); // the sender learns nothing
            }
        }

        var after = await RowAsync(meetingId);
        Assert.Equal((MeetingStatus.Active, before.StartTime, before.EndTime), (after.Status, after.StartTime, after.EndTime));
        Assert.DoesNotContain("Mallory", after.Data);
        await using (var db = TestEnvironment.NewDbContext())
        {
            Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.MeetingId == meetingId, TestContext.Current.CancellationToken));
        }
        // Still live: its quota slot is held, and a stop works.
        await fixture.StopAndWaitCompletedAsync(userId, meetId, meetingId);

        // The real end reaches the owner once, with what the Wholesaler's transcript says, not the forger's data.
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!hook.Requests.IsEmpty));
        var delivered = JsonNode.Parse(Assert.Single(hook.Requests).Body)!;
        Assert.Equal("completed", delivered["status"]!.GetValue<string>());
        Assert.NotEqual("2020-01-01T00:00:00", delivered["start_time"]?.GetValue<string>());
        var participants = delivered["data"]?["participants"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
        Assert.DoesNotContain("Mallory", participants);
        Assert.Subset(new HashSet<string> { "Alice", "Bob", "Carol" }, participants.ToHashSet());
    }

    [Fact]
    public async Task A_callback_for_a_meeting_the_wholesaler_does_not_hold_is_refused()
    {
        // Our row names a meeting of the emulator's that the emulator does not hold (its state lost, say).
        var issuer = await fixture.WholesalerHoldsAsync(RetailerFixture.NewWholesalerId(), RetailerFixture.NewMeetId(), "active");
        var (meetingId, wholesalerId, meetId) = await InsertMeetingAsync(issuer);
        var answer = await _callback.PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}",
            new { id = wholesalerId, platform = "google_meet", native_meeting_id = meetId, status = "completed" });
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("Unknown meeting", await answer.DetailAsync());
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
    }

    [Fact]
    public async Task When_the_wholesaler_cannot_confirm_the_callback_is_answered_503_and_the_row_waits()
    {
        // A meeting of a Wholesaler that answers nothing at the moment.
        var wholesaler = $"http://127.0.0.1:{Loopback.FreePort()}";
        var (meetingId, wholesalerId, meetId) = await InsertMeetingAsync(wholesaler);
        await using var transcripts = new ServiceFactory<VexaService.Transcripts.TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["Wholesaler:BaseAddress"] = wholesaler,
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Webhooks:DispatcherEnabled"] = "false",
        });
        var answer = await transcripts.CreateClient().PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}",
            new { id = wholesalerId, platform = "google_meet", native_meeting_id = meetId, status = "completed" });
        Assert.True(answer.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
            $"{(int)answer.StatusCode}");
        Assert.Equal(MeetingStatus.Active, await fixture.MeetingStatusAsync(meetingId));
    }

    /// <summary>An active meeting of a new user's, mapped to a new Wholesaler id of <paramref name="issuer"/>.</summary>
    private async Task<(long MeetingId, long WholesalerId, string MeetId)> InsertMeetingAsync(string issuer)
    {
        var (wholesalerId, meetId) = (RetailerFixture.NewWholesalerId(), RetailerFixture.NewMeetId());
        var meetingId = await fixture.InsertMeetingAsync(await fixture.NewUserAsync(), issuer, wholesalerId, meetId, MeetingStatus.Active);
        return (meetingId, wholesalerId, meetId);
    }

    [Fact]
    public async Task A_callback_of_a_step_our_row_has_reached_costs_no_wholesaler_call_and_one_past_it_is_read_back()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(userId, meetId);
        var wholesalerId = await fixture.WholesalerIdAsync(meetingId);
        Assert.Equal(MeetingStatus.Active, (await RowAsync(meetingId)).Status);
        await Task.Delay(500); // the start's own bookkeeping calls are over
        var before = await fixture.TranscriptRequestsAsync(wholesalerId);

        // Steps our row has reached or passed (as when the /ws feed's status frame came first): nothing to learn.
        foreach (var status in new[] { MeetingStatus.Joining, MeetingStatus.Active })
        {
            await PostAsync(new JsonObject { ["id"] = wholesalerId, ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = status });
        }
        Assert.Equal(before, await fixture.TranscriptRequestsAsync(wholesalerId));

        // A step past ours is read back (and, not borne out by the Wholesaler, changes nothing).
        await PostAsync(new JsonObject { ["id"] = wholesalerId, ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = MeetingStatus.Stopping });
        Assert.Equal(before + 1, await fixture.TranscriptRequestsAsync(wholesalerId));
        Assert.Equal(MeetingStatus.Active, (await RowAsync(meetingId)).Status);
    }

    private async Task PostAsync(JsonObject webhook)
    {
        var answer = await _callback.PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}", webhook);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    private static async Task<(string Status, DateTime? StartTime, DateTime? EndTime, string Data)> RowAsync(long meetingId)
    {
        await using var db = TestEnvironment.NewDbContext();
        var row = await db.Meetings.AsNoTracking().SingleAsync(m => m.Id == meetingId);
        return (row.Status, row.StartTime, row.EndTime, row.Data);
    }
}
