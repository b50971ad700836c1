using System.Net;
using System.Text.Json.Nodes;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>
/// The emulator playing today's Vexa, checked against <c>vexa-0.12.md</c> (each test names its section) and against Vexa's
/// own webhook.v1 golden envelopes (Golden/): self-hosted 0.12 and the hosted API 1.5. The Retailer's translation of
/// these answers is tested in the integration suite (Generations/); here, that the emulator tells the truth.
/// </summary>
public sealed class TodaysVexaBehaviourTests : WholesalerTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public TodaysVexaBehaviourTests(WholesalerTarget target) : base(target) =>
        Assert.SkipUnless(target.IsEmulator, "Emulator-only: chooses which Vexa the emulator plays.");

    private async Task PlayAsync(string version) =>
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/_emulator/behaviour",
            new JsonObject { ["version"] = version, ["status_step_ms"] = 150, ["generation_limits"] = false }.ToJsonString())).Status);

    private static JsonObject GoldenMeeting(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)))!["data"]!["meeting"]!.AsObject();

    private async Task<T> PlayingAsync<T>(string version, Func<Task<T>> test)
    {
        await PlayAsync(version);
        try
        {
            return await test();
        }
        finally
        {
            await PlayAsync("dfc7c83e"); // whatever failed here, the tests after it play the default again
        }
    }

    [Fact]
    public Task Vexa_0_12_tells_who_it_is_and_checks_keys_at_its_gateway() => PlayingAsync("0.12", async () =>
    {
        // §1
        Assert.Equal("Vexa API Gateway (v0.12)", (await SendAsync(HttpMethod.Get, "/openapi.json", noKey: true)).Json["info"]!["title"]!.GetValue<string>());
        var root = await SendAsync(HttpMethod.Get, "/", noKey: true);
        Assert.Equal((HttpStatusCode.NotFound, "Not Found"), (root.Status, root.Detail));
        var byId = await GetAsync("/transcripts/by-id/0");
        Assert.Equal((HttpStatusCode.NotFound, "Meeting 0 not found"), (byId.Status, byId.Detail));
        Contract.HasExactKeys((await GetAsync("/auth/me")).Object, "user_id", "email", "scopes", "max_concurrent");
        // §2.0: 401 for a missing or a wrong key
        var missing = await SendAsync(HttpMethod.Get, "/bots/status", noKey: true);
        Assert.Equal((HttpStatusCode.Unauthorized, "Missing API key"), (missing.Status, missing.Detail));
        var wrong = await SendAsync(HttpMethod.Get, "/meetings", apiKey: "not-the-key");
        Assert.Equal((HttpStatusCode.Unauthorized, "Invalid API key"), (wrong.Status, wrong.Detail));
        return true;
    });

    [Fact]
    public Task Vexa_0_12_runs_a_bot_as_its_contract_says() => PlayingAsync("0.12", async () =>
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var registered = await SendAsync(HttpMethod.Put, "/user/webhook", new JsonObject
        {
            ["webhook_url"] = $"{receiver.Address}/hook", ["webhook_secret"] = "whsec_demo_secret",
            ["webhook_events"] = new JsonObject { ["meeting.status_change"] = true, ["meeting.started"] = true, ["bot.failed"] = true },
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, registered.Status);
        Assert.Null(registered.Object["data"]!["webhook_secret"]); // §2.8: never shown

        // §2.1: Zoom needs meeting_url; 201 with the row, Z times, data.sessions
        var zoom = await SendAsync(HttpMethod.Post, "/bots", new JsonObject { ["platform"] = "zoom", ["native_meeting_id"] = Contract.ZoomId() }.ToJsonString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, zoom.Status);
        Assert.StartsWith("unsupported platform 'zoom' without a meeting_url", zoom.Detail);
        var nativeId = Contract.GoogleMeetId();
        var meeting = await StartBotAsync("google_meet", nativeId);
        Contract.HasExactKeys(meeting, [.. MeetingFields, "completion_reason", "failure_stage", "shared"]);
        Assert.Equal("requested", meeting["status"]!.GetValue<string>());
        Assert.EndsWith("Z", meeting["created_at"]!.GetValue<string>());
        var connection = Assert.Single(meeting["data"]!["sessions"]!.AsArray())!.GetValue<string>();
        var id = meeting["id"]!.GetValue<long>();

        // §5 of the status section: every bot advance is a status_change naming only the connection
        var changes = await receiver.CollectUntilAsync(all => all.Any(p => p["event_type"]?.GetValue<string>() == "meeting.started")
            && all.Any(p => p["event_type"]?.GetValue<string>() == "meeting.status_change"), Patience);
        var joining = changes.First(p => p["event_type"]!.GetValue<string>() == "meeting.status_change");
        Contract.HasExactKeys(joining, "event_id", "event_type", "api_version", "created_at", "data");
        Assert.Matches("^evt_[0-9a-f]{32}$", joining["event_id"]!.GetValue<string>());
        Assert.Equal(connection, joining["data"]!["meeting"]!["connection_id"]!.GetValue<string>());
        Assert.Null(joining["data"]!["meeting"]!["id"]);
        Contract.HasExactKeys(joining["data"]!["status_change"]!.AsObject(), "old_status", "new_status", "reason", "transition_source");
        var started = changes.Single(p => p["event_type"]!.GetValue<string>() == "meeting.started");
        Contract.HasExactKeys(started["data"]!["meeting"]!.AsObject(), [.. GoldenMeeting("Envelope.meeting-completed.json").Select(p => p.Key)]);

        // §2.3, §2.4, §2.7
        var config = await SendAsync(HttpMethod.Put, $"/bots/google_meet/{nativeId}/config", new JsonObject { ["language"] = "de" }.ToJsonString());
        Assert.Equal((HttpStatusCode.NotFound, "Not Found"), (config.Status, config.Detail));
        var running = (await GetAsync("/bots/status")).Object;
        Contract.HasExactKeys(running, "running", "running_bots", "count");
        Assert.Contains(running["running"]!.AsArray(), r => r!["id"]!.GetValue<long>() == id);
        var notFinal = await SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{nativeId}");
        Assert.Equal((HttpStatusCode.Conflict, "Meeting artifacts can only be deleted after the lifecycle is terminal"), (notFinal.Status, notFinal.Detail));
        var patch = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{nativeId}", new JsonObject { ["data"] = new JsonObject { ["name"] = "x" } }.ToJsonString());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "no editable fields in body"), (patch.Status, patch.Detail));

        // §2.2: 200 with the stopped row, then 404 for nothing live
        var stop = await StopBotAsync("google_meet", nativeId);
        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Contract.HasExactKeys(stop.Object, "status", "meeting_id", "native_meeting_id", "also_stopped", "cancelled");
        var again = await StopBotAsync("google_meet", nativeId);
        Assert.Equal((HttpStatusCode.NotFound, "No active meeting for this bot"), (again.Status, again.Detail));
        var completed = await receiver.CollectUntilAsync(all => all.Any(p => p["event_type"]?.GetValue<string>() == "meeting.completed"), Patience);
        var completion = completed.Single(p => p["event_type"]!.GetValue<string>() == "meeting.completed");
        Contract.HasExactKeys(completion["data"]!.AsObject(), "meeting");
        Assert.Equal("stopped", completion["data"]!["meeting"]!["completion_reason"]!.GetValue<string>());

        // §2.6: by id, epoch seconds, the newest segment held twice
        var transcript = (await GetAsync($"/transcripts/by-id/{id}")).Object;
        var segments = transcript["segments"]!.AsArray();
        Assert.All(segments, s => Assert.True(s!["start"]!.GetValue<double>() >= 1e9));
        Assert.True(segments.Count == 0 || segments.Count > segments.Select(s => s!["segment_id"]!.GetValue<string>()).Distinct().Count());
        // §2.7: deletion once final keeps the row; its transcript is gone
        var deleted = await SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{nativeId}");
        Assert.Equal("deleted", deleted.Object["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/transcripts/by-id/{id}")).Status);
        Assert.NotNull(await FindMeetingAsync(id));
        return true;
    });

    [Fact]
    public Task Vexa_0_12_lists_50_meetings_unless_paged() => PlayingAsync("0.12", async () =>
    {
        var page = (await GetAsync("/bots?limit=1")).Object;
        Contract.HasExactKeys(page, "meetings", "has_more");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await GetAsync("/bots?limit=101")).Status);
        Assert.True((await GetAsync("/meetings")).Json["meetings"]!.AsArray().Count <= 50);
        return true;
    });

    [Fact]
    public Task The_hosted_api_tells_who_it_is_and_sends_one_event_per_change() => PlayingAsync("1.5", async () =>
    {
        Assert.Equal("1.5.0", (await SendAsync(HttpMethod.Get, "/openapi.json", noKey: true)).Json["info"]!["version"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/", noKey: true)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await GetAsync("/transcripts/by-id/0")).Status);
        var wrong = await SendAsync(HttpMethod.Get, "/meetings", apiKey: "not-the-key");
        Assert.Equal((HttpStatusCode.Unauthorized, "Invalid API key"), (wrong.Status, wrong.Detail));

        await using var receiver = await WebhookReceiver.StartAsync();
        await SendAsync(HttpMethod.Put, "/user/webhook", new JsonObject
        {
            ["webhook_url"] = $"{receiver.Address}/hook", ["webhook_secret"] = "s3cret",
            ["webhook_events"] = new JsonObject { ["meeting.status_change"] = true, ["meeting.started"] = true },
        }.ToJsonString());
        var nativeId = Contract.GoogleMeetId();
        var id = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();
        // Sent in the background, so in any order: until both the first change and the start are here.
        var changes = await receiver.CollectUntilAsync(all => all.Any(p => p["event_type"]?.GetValue<string>() == "meeting.started")
            && all.Any(p => p["data"]?["status_change"]?["to"]?.GetValue<string>() == "joining"), Patience);
        Assert.All(changes, c => Assert.Equal(id, c["data"]!["meeting"]!["id"]!.GetValue<long>())); // 1.5 names the meeting
        Assert.Equal(HttpStatusCode.Accepted, (await StopBotAsync("google_meet", nativeId)).Status); // 2025-09's 202
        // §8.6: completion sends both its status change and meeting.completed (in either order: waited for until both came).
        await receiver.CollectUntilAsync(all => all.Any(p => p["event_type"]?.GetValue<string>() == "meeting.completed")
            && all.Any(c => c["event_type"]!.GetValue<string>() == "meeting.status_change"
                && c["data"]!["status_change"]!["to"]!.GetValue<string>() == "completed"), Patience);
        return true;
    });
}
