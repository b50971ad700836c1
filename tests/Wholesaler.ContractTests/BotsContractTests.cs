using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>Contract 4.1-4.4, 7 and 13: starting, listing, reconfiguring and stopping bots.</summary>
public sealed partial class BotsContractTests(WholesalerTarget target) : WholesalerTestBase(target)
{
    [Fact]
    public async Task Post_bots_is_201_with_an_active_MeetingResponse()
    {
        var nativeId = Contract.GoogleMeetId();

        var answer = await StartBotAsync("google_meet", nativeId);

        Contract.IsMeetingResponse(answer);
        // dfc7c83e: active at once; 2025-09: requested, without a start, until the bot is in.
        Assert.Equal(Target.PushesStatuses ? "requested" : "active", answer["status"]!.GetValue<string>());
        var meeting = Target.PushesStatuses ? await MeetingInStatusAsync(answer["id"]!.GetValue<long>(), "active") : answer;
        Assert.Equal("google_meet", meeting["platform"]!.GetValue<string>());
        Assert.Equal(nativeId, meeting["native_meeting_id"]!.GetValue<string>());
        Assert.Equal($"https://meet.google.com/{nativeId}", meeting["constructed_meeting_url"]!.GetValue<string>());
        Contract.IsKind(meeting["bot_container_id"], JsonValueKind.String, "bot_container_id");
        Contract.IsKind(meeting["start_time"], JsonValueKind.String, "start_time");
        Assert.Null(meeting["end_time"]);
        Assert.Empty(meeting["data"]!.AsObject());
    }

    [Theory]
    [InlineData("""{"platform":"skype","native_meeting_id":"abc-defg-hij"}""", new[] { "body", "platform" },
        Contract.InvalidPlatformMessage, "type_error.enum")]
    [InlineData("""{"platform":"google_meet"}""", new[] { "body", "native_meeting_id" }, "field required", "value_error.missing")]
    [InlineData("""{"native_meeting_id":"abc-defg-hij"}""", new[] { "body", "platform" }, "field required", "value_error.missing")]
    [InlineData("""{"platform":"google_meet","native_meeting_id":null}""", new[] { "body", "native_meeting_id" },
        "none is not an allowed value", "type_error.none.not_allowed")]
    [InlineData("""{"platform":"google_meet","native_meeting_id":{"id":1}}""", new[] { "body", "native_meeting_id" },
        "str type expected", "type_error.str")]
    [InlineData("""["google_meet","abc-defg-hij"]""", new[] { "body" }, "value is not a valid dict", "type_error.dict")]
    public async Task Post_bots_with_an_invalid_body_is_422_pydantic_list(string body, string[] loc, string msg, string type)
    {
        var response = await SendAsync(HttpMethod.Post, "/bots", body);

        Contract.IsValidationError(response, loc, msg, type);
    }

    [Fact]
    public async Task Post_bots_without_a_body_is_422_field_required()
    {
        var response = await SendAsync(HttpMethod.Post, "/bots");

        Contract.IsValidationError(response, ["body"], "field required", "value_error.missing");
    }

    [Fact]
    public async Task Second_post_for_a_running_bot_is_409_with_the_meeting_id()
    {
        var nativeId = Contract.GoogleMeetId();
        var first = await StartBotAsync("google_meet", nativeId);

        var second = await PostBotAsync("google_meet", nativeId);

        Contract.IsError(second, HttpStatusCode.Conflict,
            "An active or requested meeting already exists for this platform and meeting ID, and its container is running. " +
            $"Meeting ID: {first["id"]}");
    }

    [Fact]
    public async Task Bots_status_lists_the_running_bot_with_every_BotStatus_field()
    {
        var nativeId = Contract.GoogleMeetId();
        var meeting = await StartBotAsync("google_meet", nativeId);
        var meetingId = meeting["id"]!.GetValue<long>();

        var response = await GetAsync("/bots/status");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Contract.HasExactKeys(response.Object, "running_bots");
        var bot = response.Json["running_bots"]!.AsArray().Select(b => b!.AsObject())
            .Single(b => b["native_meeting_id"]?.GetValue<string>() == nativeId);
        Contract.HasExactKeys(bot, "container_id", "container_name", "platform", "native_meeting_id", "status", "created_at",
            "labels", "meeting_id_from_name");
        Assert.Equal(meeting["bot_container_id"]!.GetValue<string>(), bot["container_id"]!.GetValue<string>());
        Assert.Matches($"^vexa-bot-{meetingId}-[0-9a-f]+$", bot["container_name"]!.GetValue<string>());
        Assert.Equal("google_meet", bot["platform"]!.GetValue<string>());
        Assert.StartsWith("Up ", bot["status"]!.GetValue<string>());
        Assert.Matches(Contract.UtcIso(), bot["created_at"]!.GetValue<string>());
        Assert.Equal(meeting["user_id"]!.ToString(), bot["labels"]!["vexa.user_id"]!.GetValue<string>());
        Assert.Equal(meetingId.ToString(System.Globalization.CultureInfo.InvariantCulture), bot["meeting_id_from_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_bot_is_202_then_stopping_then_completed_with_end_time()
    {
        var nativeId = Contract.GoogleMeetId();
        var meetingId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();

        var response = await StopBotAsync("google_meet", nativeId);

        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Contract.HasExactKeys(response.Object, "message");
        Assert.Equal("Stop request accepted and is being processed.", response.Json["message"]!.GetValue<string>());
        var stopping = await FindMeetingAsync(meetingId);
        Assert.Equal("stopping", stopping!["status"]!.GetValue<string>());
        Assert.Null(stopping["end_time"]);

        var completed = await MeetingInStatusAsync(meetingId, "completed");
        Contract.IsMeetingResponse(completed);
        Assert.Matches(Contract.NaiveIso(), completed["end_time"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_bot_without_an_active_meeting_is_404()
    {
        var nativeId = Contract.GoogleMeetId();
        await StartActiveBotAsync("google_meet", nativeId);
        // dfc7c83e's text, and 2025-09's (contract 12)
        var unknown = await StopBotAsync("google_meet", Contract.GoogleMeetId());
        Contract.IsError(unknown, HttpStatusCode.NotFound, Target.PushesStatuses ? "No meeting found to stop." : "Active meeting not found.");

        Assert.Equal(HttpStatusCode.Accepted, (await StopBotAsync("google_meet", nativeId)).Status);
        var stopping = await StopBotAsync("google_meet", nativeId);
        if (Target.PushesStatuses)
        {
            Assert.Equal(HttpStatusCode.Accepted, stopping.Status); // 2025-09 stops a bot in any live status, stopping included
        }
        else
        {
            Contract.IsError(stopping, HttpStatusCode.NotFound, "Active meeting not found.");
        }
    }

    [Fact]
    public async Task Config_is_202_when_active_409_when_not_and_404_without_meeting()
    {
        var nativeId = Contract.GoogleMeetId();
        await StartActiveBotAsync("google_meet", nativeId);

        var accepted = await SendAsync(HttpMethod.Put, $"/bots/google_meet/{nativeId}/config", """{"language":"de","task":"transcribe"}""");
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal("Reconfiguration request accepted and sent to the bot.", accepted.Json["message"]!.GetValue<string>());

        var invalid = await SendAsync(HttpMethod.Put, $"/bots/google_meet/{nativeId}/config", """{"language":["de"]}""");
        Contract.IsValidationError(invalid, ["body", "language"], "str type expected", "type_error.str");

        await StopBotAsync("google_meet", nativeId);
        var notActive = await SendAsync(HttpMethod.Put, $"/bots/google_meet/{nativeId}/config", "{}");
        Contract.IsError(notActive, HttpStatusCode.Conflict, "Meeting found but is not active (status: 'stopping'). Cannot reconfigure.");

        var other = Contract.GoogleMeetId();
        var missing = await SendAsync(HttpMethod.Put, $"/bots/google_meet/{other}/config", "{}");
        Contract.IsError(missing, HttpStatusCode.NotFound, $"No active meeting found for platform google_meet and meeting ID {other}.");
    }

    [Theory]
    [InlineData("zoom")]
    [InlineData("teams")]
    [InlineData("google_meet")]
    public async Task Bots_that_cannot_join_leave_at_once_and_complete_without_transcript(string platform)
    {
        var nativeId = platform switch
        {
            "zoom" => Contract.ZoomId(),
            "teams" => Contract.TeamsId(),
            _ => Contract.GoogleMeetId().ToUpperInvariant(),
        };

        var meeting = await StartBotAsync(platform, nativeId);

        Assert.Equal(Target.PushesStatuses ? "requested" : "active", meeting["status"]!.GetValue<string>());
        var expectedUrl = platform == "zoom" ? $"https://*.zoom.us/j/{nativeId}" : null;
        Assert.Equal(expectedUrl, meeting["constructed_meeting_url"]?.GetValue<string>());
        var completed = await MeetingInStatusAsync(meeting["id"]!.GetValue<long>(), "completed");
        Assert.NotNull(completed["end_time"]);
        var transcript = await GetAsync($"/transcripts/{platform}/{nativeId}");
        Assert.Equal(HttpStatusCode.OK, transcript.Status);
        Assert.Equal("completed", transcript.Json["status"]!.GetValue<string>());
        Assert.Empty(transcript.Json["segments"]!.AsArray());
    }

    [Fact]
    public async Task Reaching_the_concurrency_limit_is_403_and_leaves_an_error_row()
    {
        if (Target.IsEmulator)
        {
            // Bots of earlier tests may still be stopping (or leaving by themselves); they count against the limit
            // until they are gone, and leaving mid-test would make the count below race. Let them go first.
            await EventuallyAsync(async () =>
                (await GetAsync("/bots/status")).Json["running_bots"]!.AsArray().Count == 0 ? new object() : null, "earlier bots to leave");
        }
        var runningBefore = (await GetAsync("/bots/status")).Json["running_bots"]!.AsArray().Count;
        var started = new List<string>();
        ApiResponse? rejected = null;
        string? rejectedId = null;
        for (var attempt = 0; attempt < 60 && rejected is null; attempt++)
        {
            var nativeId = Contract.GoogleMeetId();
            var response = await PostBotAsync("google_meet", nativeId);
            if (response.Status == HttpStatusCode.Created)
            {
                started.Add(nativeId);
            }
            else
            {
                (rejected, rejectedId) = (response, nativeId);
            }
        }

        try
        {
            Assert.NotNull(rejected);
            Assert.Equal(HttpStatusCode.Forbidden, rejected.Status);
            var match = LimitMessage().Match(rejected.Detail ?? "");
            Assert.True(match.Success, $"unexpected 403 detail: {rejected}");
            var limit = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (Target.IsEmulator)
            {
                Assert.Equal(WholesalerTarget.EmulatorMaxConcurrentBots, limit);
                Assert.Equal(limit, started.Count); // nothing else ran: exactly the limit was started, then refused
            }
            var running = (await GetAsync("/bots/status")).Json["running_bots"]!.AsArray();
            Assert.True(running.Count >= limit, $"{running.Count} running bots, limit {limit}");

            var meetings = (await GetAsync("/meetings")).Json["meetings"]!.AsArray().Select(m => m!.AsObject());
            var errorRow = meetings.Single(m => m["native_meeting_id"]?.GetValue<string>() == rejectedId);
            Assert.Equal("error", errorRow["status"]!.GetValue<string>());
            Assert.Null(errorRow["bot_container_id"]);
            var transcript = await GetAsync($"/transcripts/google_meet/{rejectedId}");
            Assert.Equal("error", transcript.Json["status"]!.GetValue<string>());
            Assert.Empty(transcript.Json["segments"]!.AsArray());
        }
        finally
        {
            foreach (var nativeId in started)
            {
                await StopBotAsync("google_meet", nativeId);
            }
            // Stopping containers still count; let them go so the next tests can start bots.
            await EventuallyAsync(async () =>
                (await GetAsync("/bots/status")).Json["running_bots"]!.AsArray().Count <= runningBefore ? new object() : null,
                "stopped bots to leave");
        }
    }

    [GeneratedRegex(@"^User has reached the maximum concurrent bot limit \((\d+)\)\.$")]
    private static partial Regex LimitMessage();
}
