using System.Net;
using System.Text.Json.Nodes;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>
/// The emulator playing Vexa's main branch of September 2025 (contract §12, §15): <c>requested</c> at start, statuses
/// driven by the bot and pushed as <c>meeting.status_change</c> webhooks, stops from any live status.
/// </summary>
public sealed class September2025BehaviourTests : WholesalerTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public September2025BehaviourTests(WholesalerTarget target) : base(target) =>
        Assert.SkipUnless(target.IsEmulator, "Emulator-only: chooses which Vexa the emulator plays.");

    private async Task PlayAsync(string version, bool refuseAdmission = false) =>
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/_emulator/behaviour",
            new JsonObject { ["version"] = version, ["status_step_ms"] = 150, ["refuse_admission"] = refuseAdmission }.ToJsonString())).Status);

    private static bool IsChange(JsonObject payload, long meetingId, string to) =>
        payload["event_type"]?.GetValue<string>() == "meeting.status_change"
        && payload["meeting"]?["id"]?.GetValue<long>() == meetingId && payload["status_change"]?["to"]?.GetValue<string>() == to;

    private async Task<WebhookReceiver> ReceiverAsync()
    {
        var receiver = await WebhookReceiver.StartAsync();
        var registered = await SendAsync(HttpMethod.Put, "/user/webhook",
            new JsonObject { ["webhook_url"] = $"{receiver.Address}/hook/{Guid.NewGuid():N}" }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, registered.Status);
        return receiver;
    }

    [Fact]
    public async Task A_bot_is_requested_then_moves_in_by_steps_each_pushed_and_its_stop_and_end_are_pushed_too()
    {
        await using var receiver = await ReceiverAsync();
        await PlayAsync("2025-09");
        try
        {
            var nativeId = Contract.GoogleMeetId();
            var meeting = await StartBotAsync("google_meet", nativeId);
            var id = meeting["id"]!.GetValue<long>();
            Assert.Equal("requested", meeting["status"]!.GetValue<string>());
            Assert.Null(meeting["start_time"]);

            // Its container runs from the start: GET /bots/status lists it while it is still requested.
            var running = (await GetAsync("/bots/status")).Json["running_bots"]!.AsArray();
            Assert.Contains(running, b => b!["meeting_id_from_name"]!.GetValue<string>() == id.ToString());

            var inbound = await receiver.CollectUntilAsync(all => all.Any(p => IsChange(p, id, "active")), Patience);
            // Only this meeting's: a bot stopped by an earlier test may still push its own changes to the same user's URL.
            var changes = inbound.Where(p => p["event_type"] is not null && p["meeting"]?["id"]?.GetValue<long>() == id).ToList();
            // Each change once; they are sent in the background, so they may arrive in any order.
            Assert.Equal(new[] { "awaiting_admission→active", "joining→awaiting_admission", "requested→joining" },
                changes.Select(c => $"{c["status_change"]!["from"]}→{c["status_change"]!["to"]}").Order(StringComparer.Ordinal));
            foreach (var change in changes)
            {
                Contract.HasExactKeys(change, "event_type", "meeting", "status_change");
                Contract.IsMeetingResponse(change["meeting"]!.AsObject());
                Contract.HasExactKeys(change["status_change"]!.AsObject(), "from", "to", "reason", "timestamp", "transition_source");
                Assert.Matches(Contract.NaiveIso(), change["status_change"]!["timestamp"]!.GetValue<string>());
                Assert.Equal(change["status_change"]!["to"]!.GetValue<string>(), change["meeting"]!["status"]!.GetValue<string>());
            }
            var active = await MeetingInStatusAsync(id, "active");
            Assert.NotNull(active["start_time"]);

            Assert.Equal(HttpStatusCode.Accepted, (await StopBotAsync("google_meet", nativeId)).Status);
            var ending = await receiver.CollectUntilAsync(
                all => all.Any(p => p["id"]?.GetValue<long>() == id) && all.Any(p => IsChange(p, id, "completed")), Patience);
            Assert.Contains(ending, p => IsChange(p, id, "stopping"));
            Assert.Contains(ending, p => IsChange(p, id, "completed"));
            Assert.Equal("completed", ending.Single(p => p["id"]?.GetValue<long>() == id)["status"]!.GetValue<string>());

            // A stop for a meeting that has ended says so; one for a meeting never held is 404 with 2025-09's text.
            var again = await StopBotAsync("google_meet", nativeId);
            Assert.Equal(HttpStatusCode.Accepted, again.Status);
            Assert.Equal("Meeting already completed.", again.Json["message"]!.GetValue<string>());
            Contract.IsError(await StopBotAsync("google_meet", Contract.GoogleMeetId()), HttpStatusCode.NotFound, "No meeting found to stop.");
        }
        finally
        {
            await PlayAsync("dfc7c83e");
        }
    }

    [Fact]
    public async Task A_bot_can_be_stopped_before_it_is_in_and_a_refused_bot_ends_failed()
    {
        await using var receiver = await ReceiverAsync();
        await PlayAsync("2025-09");
        try
        {
            var early = Contract.GoogleMeetId();
            var earlyId = (await StartBotAsync("google_meet", early))["id"]!.GetValue<long>();
            Assert.Equal(HttpStatusCode.Accepted, (await StopBotAsync("google_meet", early)).Status);
            await MeetingInStatusAsync(earlyId, "completed");

            await PlayAsync("2025-09", refuseAdmission: true);
            var refused = Contract.GoogleMeetId();
            var refusedId = (await StartBotAsync("google_meet", refused))["id"]!.GetValue<long>();
            var failed = await MeetingInStatusAsync(refusedId, "failed");
            Assert.NotNull(failed["end_time"]);
            var pushed = await receiver.CollectUntilAsync(all => all.Any(p => IsChange(p, refusedId, "failed")), Patience);
            Assert.Equal("awaiting_admission", pushed.Single(p => IsChange(p, refusedId, "failed"))["status_change"]!["from"]!.GetValue<string>());
            Assert.DoesNotContain((await GetAsync("/bots/status")).Json["running_bots"]!.AsArray(),
                b => b!["meeting_id_from_name"]!.GetValue<string>() == refusedId.ToString());
        }
        finally
        {
            await PlayAsync("dfc7c83e");
        }
    }

    [Fact]
    public async Task The_behaviour_is_validated_and_can_be_switched_back()
    {
        Contract.IsValidationError(await SendAsync(HttpMethod.Put, "/_emulator/behaviour", """{"version":"2024-01"}"""),
            ["body", "version"], "value is not a valid enumeration member; permitted: 'dfc7c83e', '2025-09', '0.12', '1.5'", "type_error.enum");
        Contract.IsValidationError(await SendAsync(HttpMethod.Put, "/_emulator/behaviour", """{"refuse_admission":"yes"}"""),
            ["body", "refuse_admission"], "value could not be parsed to a boolean", "type_error.bool");
        await PlayAsync("2025-09");
        try
        {
            var current = (await GetAsync("/_emulator/behaviour")).Object;
            Contract.HasExactKeys(current, "version", "status_step_ms", "refuse_admission", "rate_limit_burst", "rate_limit_per_second",
                "segment_interval_ms", "max_segments", "generation_limits");
            Assert.Equal("2025-09", current["version"]!.GetValue<string>());
        }
        finally
        {
            await PlayAsync("dfc7c83e"); // whatever failed here, the tests after it play the default again
        }
        Assert.Equal("dfc7c83e", (await GetAsync("/_emulator/behaviour")).Object["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bot_keeps_the_segment_cadence_and_cap_played_when_it_started()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/_emulator/behaviour",
            """{"segment_interval_ms": 20, "max_segments": 3}""")).Status);
        string nativeId;
        try
        {
            nativeId = Contract.GoogleMeetId();
            await StartBotAsync("google_meet", nativeId);
        }
        finally
        {
            await SendAsync(HttpMethod.Put, "/_emulator/behaviour", "{}"); // the configured cadence and cap again
        }
        // Capped at 3 although the emulator now plays its configured cap again.
        var transcript = await EventuallyAsync(async () =>
            (await GetAsync($"/transcripts/google_meet/{nativeId}")).Json["segments"]!.AsArray() is { Count: 3 } three ? three : null,
            "three segments");
        await Task.Delay(300, Cancellation);
        Assert.Equal(3, (await GetAsync($"/transcripts/google_meet/{nativeId}")).Json["segments"]!.AsArray().Count);
        // 20 ms apart (start = k × interval + up to 10 % jitter, in whole milliseconds), not the configured 50 ms.
        Assert.InRange(transcript[2]!["start"]!.GetValue<double>() - transcript[0]!["start"]!.GetValue<double>(), 0.036, 0.044);
    }

    [Fact]
    public async Task The_per_key_rate_limit_answers_429_with_retry_after_once_the_burst_is_spent()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/_emulator/behaviour",
            """{"rate_limit_burst": 3, "rate_limit_per_second": 0.5}""")).Status);
        try
        {
            var before = (await GetAsync("/_emulator/stats")).Object["rate_limited"]!.GetValue<long>();
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await GetAsync("/bots/status")).Status);
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, "/bots/status");
            request.Headers.Add("X-API-Key", Target.ApiKey);
            using var refused = await Target.Client.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);
            Assert.Equal("Rate limit exceeded. Please retry later.",
                JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["detail"]!.GetValue<string>());
            Assert.Equal(before + 1, (await GetAsync("/_emulator/stats")).Object["rate_limited"]!.GetValue<long>());
        }
        finally
        {
            await PlayAsync("dfc7c83e"); // the configured limit: none
        }
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/bots/status")).Status);
    }
}
