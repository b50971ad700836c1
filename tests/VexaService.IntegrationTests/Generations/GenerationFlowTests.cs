using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Generations;

/// <summary>
/// A user's whole flow against each Vexa we resell, through our API, which must read the same whichever it is
/// (issue 31): the Retailer learns the generation itself; a bot is started (201, 2025-09's body), goes through
/// joining and awaiting_admission to active on the Wholesaler's pushed webhooks, its transcript is read while live
/// (offsets, each segment once), it is stopped (202), completes, its owner gets the completion webhook, and the meeting
/// is deleted. One class per generation below; what only one generation does is tested in its own class.
/// </summary>
public abstract class GenerationFlowTests(GenerationStack stack)
{
    private readonly HttpClient _bots = stack.BotManager.CreateClient();
    private readonly HttpClient _transcripts = stack.Transcripts.CreateClient();

    [Fact]
    public async Task The_Retailer_learns_which_Vexa_it_resells() => Assert.Equal(stack.Generation, await stack.DetectedAsync());

    [Fact]
    public async Task A_user_runs_a_meeting_from_start_to_deletion_in_the_2025_09_shapes()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var userId = await stack.NewUserAsync(webhookUrl: hook.Url);
        var meetId = RetailerFixture.NewMeetId();

        var started = await stack.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var meeting = (await started.JsonAsync()).AsObject();
        Assert.Equal(["id", "user_id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "bot_container_id",
            "start_time", "end_time", "data", "created_at", "updated_at"], meeting.Select(p => p.Key));
        Assert.Equal("requested", meeting["status"]!.GetValue<string>());
        Assert.DoesNotContain("Z", meeting["created_at"]!.GetValue<string>()); // naive, as 2025-09 wrote it
        Assert.Equal(new JsonObject().ToJsonString(), meeting["data"]!.ToJsonString()); // nothing of the Wholesaler's data
        var id = meeting["id"]!.GetValue<long>();

        // Every step on the way in reaches us by the Wholesaler's own webhooks (0.12: named by the bot's connection only).
        await RetailerFixture.WaitUntilAsync(async () => await stack.MeetingStatusAsync(id) == "active");
        await using (var db = stack.NewDbContext())
        {
            var row = await db.Meetings.SingleAsync(m => m.Id == id);
            Assert.NotNull(row.StartTime);
            if (SignsWebhooks)
            {
                // Pushed by the signed webhooks, through our inbox: the steps to active were followed from there.
                var theirs = (await db.WholesalerWebhooks.AsNoTracking().ToListAsync())
                    .Where(w => w.Body.Contains(row.WholesalerConnectionId ?? "-", StringComparison.Ordinal)
                        || JsonNode.Parse(w.Body)!["data"]!["meeting"]!["id"]?.GetValue<long>() == row.WholesalerMeetingId)
                    .ToList();
                Assert.Contains(theirs, w => w.Outcome == "followed");
            }
        }

        // The transcript while live: offsets from the start, each segment once, ordered.
        JsonArray segments = [];
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            var answer = await stack.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");
            segments = (await answer.JsonAsync())["segments"]!.AsArray();
            return answer.StatusCode == HttpStatusCode.OK && segments.Count >= 3;
        });
        var starts = segments.Select(s => s!["start"]!.GetValue<double>()).ToList();
        Assert.All(starts, start => Assert.InRange(start, 0, 3600));
        Assert.Equal(starts.Order(), starts);
        Assert.Equal(segments.Count, segments.Select(s => s!["text"]!.GetValue<string>() + s["start"]).Distinct().Count());

        var status = await (await stack.AsUserAsync(_bots, userId, HttpMethod.Get, "/bots/status")).JsonAsync();
        var bot = status["running_bots"]!.AsArray().Single()!;
        Assert.Equal(id.ToString(), bot["meeting_id_from_name"]!.GetValue<string>());
        Assert.StartsWith($"vexa-bot-{id}-", bot["container_name"]!.GetValue<string>());

        var stopped = await stack.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.Accepted, stopped.StatusCode);
        Assert.Equal("Stop request accepted and is being processed.", (await stopped.JsonAsync())["message"]!.GetValue<string>());
        await RetailerFixture.WaitUntilAsync(async () => await stack.MeetingStatusAsync(id) == "completed");

        // The owner's completion webhook, in 2025-09's shape with our ids.
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!hook.Requests.IsEmpty));
        var payload = JsonNode.Parse(Assert.Single(hook.Requests).Body)!.AsObject();
        Assert.Equal((id, "completed"), (payload["id"]!.GetValue<long>(), payload["status"]!.GetValue<string>()));

        var again = await stack.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("Meeting already completed.", (await again.JsonAsync())["message"]!.GetValue<string>());

        var deleted = await stack.AsUserAsync(_transcripts, userId, HttpMethod.Delete, $"/meetings/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Fact]
    public async Task Two_users_on_one_native_id_stay_apart()
    {
        var (alice, bob) = (await stack.NewUserAsync(), await stack.NewUserAsync());
        var meetId = RetailerFixture.NewMeetId();
        var aliceMeeting = await stack.StartBotAsync(alice, meetId);

        var taken = await stack.AsUserAsync(_bots, bob, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.DoesNotContain(aliceMeeting.ToString(), (await taken.JsonAsync())["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound,
            (await stack.AsUserAsync(_transcripts, bob, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).StatusCode);
        Assert.Empty((await (await stack.AsUserAsync(_bots, bob, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray());

        await RetailerFixture.WaitUntilAsync(async () => await stack.MeetingStatusAsync(aliceMeeting) == "active");
        await stack.StopAndWaitCompletedAsync(alice, meetId, aliceMeeting);
        var bobMeeting = await stack.StartBotAsync(bob, meetId);
        Assert.NotEqual(aliceMeeting, bobMeeting);
        // Alice's transcript is still hers, of her meeting, not of Bob's newer one on the same native id.
        var aliceTranscript = await (await stack.AsUserAsync(_transcripts, alice, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).JsonAsync();
        Assert.Equal(aliceMeeting, aliceTranscript["id"]!.GetValue<long>());
        await stack.AsUserAsync(_bots, bob, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
    }

    [Fact]
    public async Task Every_meeting_of_the_system_user_is_listed_whatever_a_page_holds()
    {
        var client = stack.BotManager.Services.CreateScope().ServiceProvider.GetRequiredService<VexaService.Wholesaler.WholesalerClient>();
        var ids = new List<long>();
        for (var i = 0; i < 60; i++)
        {
            var id = RetailerFixture.NewWholesalerId();
            await stack.WholesalerHoldsAsync(id, RetailerFixture.NewMeetId(), "completed");
            ids.Add(id);
        }
        var listed = await client.ListMeetingsAsync(CancellationToken.None);
        Assert.Subset(listed.Items.Select(m => m["id"]!.GetValue<long>()).ToHashSet(), ids.ToHashSet());
    }

    [Fact]
    public async Task A_forged_webhook_changes_nothing()
    {
        var userId = await stack.NewUserAsync();
        var (meetingId, wholesalerId, meetId) = await stack.SeedMeetingAsync(userId);
        var forged = new JsonObject
        {
            ["event_id"] = "evt_" + Guid.NewGuid().ToString("N"), ["event_type"] = "meeting.completed", ["api_version"] = "2026-03-01",
            ["data"] = new JsonObject { ["meeting"] = new JsonObject { ["id"] = wholesalerId, ["platform"] = "google_meet",
                ["native_meeting_id"] = meetId, ["status"] = "completed" } },
        };
        using var content = new StringContent(forged.ToJsonString(), Encoding.UTF8, "application/json");
        var answer = await new HttpClient().PostAsync($"{stack.TranscriptsUrl}/internal/wholesaler-webhook/{RetailerFixture.CallbackSecret}", content);
        Assert.Equal(SignsWebhooks ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, answer.StatusCode);
        await Task.Delay(300);
        Assert.Equal("active", await stack.MeetingStatusAsync(meetingId)); // the Wholesaler holds it active: never believed
    }

    protected abstract bool SignsWebhooks { get; }
}

[Collection(September2025Collection.Name)]
public sealed class September2025FlowTests(September2025Stack stack) : GenerationFlowTests(stack)
{
    protected override bool SignsWebhooks => false;
}

[Collection(Vexa012Collection.Name)]
public sealed class Vexa012FlowTests(Vexa012Stack stack) : GenerationFlowTests(stack)
{
    protected override bool SignsWebhooks => true;
}

[Collection(Hosted15Collection.Name)]
public sealed class Hosted15FlowTests(Hosted15Stack stack) : GenerationFlowTests(stack)
{
    protected override bool SignsWebhooks => true;
}
