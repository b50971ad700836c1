using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Bots;

[Collection(BotsCollection.Name)]
public sealed class BotLifecycleTests(BotsStack fixture)
{
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();

    [Fact]
    public async Task A_pasted_teams_link_starts_the_bot_with_its_passcode_at_the_wholesaler()
    {
        var userId = await fixture.NewUserAsync();
        var teamsId = string.Concat(Enumerable.Range(0, 13).Select(_ => (char)('0' + Random.Shared.Next(10))));
        await fixture.PlayAsync(RetailerFixture.September2025);
        try
        {
            var started = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots",
                new { meeting_url = $"https://teams.live.com/meet/{teamsId}?p=Secret123" });
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var meeting = await started.JsonAsync();
            Assert.Equal(("teams", teamsId, "Secret123"), (meeting["platform"]!.GetValue<string>(),
                meeting["native_meeting_id"]!.GetValue<string>(), meeting["data"]!["passcode"]!.GetValue<string>()));

            // The Wholesaler got the passcode (Vexa of September 2025 keeps it in its meeting's data).
            var wholesalerId = await fixture.WholesalerIdAsync(meeting["id"]!.GetValue<long>());
            var theirs = (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>("/meetings"))!["meetings"]!.AsArray()
                .Single(m => m!["id"]!.GetValue<long>() == wholesalerId)!;
            Assert.Equal("Secret123", theirs["data"]!["passcode"]!.GetValue<string>());
            await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/teams/{teamsId}");
        }
        finally
        {
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    [Fact]
    public async Task A_refused_option_is_a_422_and_starts_nothing()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var before = (await fixture.EmulatorStatsAsync())["bot_starts"]!.GetValue<long>();
        var refused = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId, passcode = "12345678" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("Passcode is not supported for Google Meet meetings", (await refused.JsonAsync())["detail"]![0]!["msg"]!.GetValue<string>());
        // No bot was asked of the Wholesaler (tests of this collection run one at a time), and no meeting of ours exists.
        Assert.Equal(before, (await fixture.EmulatorStatsAsync())["bot_starts"]!.GetValue<long>());
        var meetings = await (await fixture.AsUserAsync(fixture.Transcripts.CreateClient(), userId, HttpMethod.Get, "/meetings")).JsonAsync();
        Assert.Empty(meetings["meetings"]!.AsArray());
    }

    [Fact]
    public async Task A_user_starts_lists_reconfigures_and_stops_a_bot()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();

        var started = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId, bot_name = "Notes", language = "en" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var meeting = (await started.JsonAsync()).AsObject();
        Assert.Equal(["id", "user_id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "bot_container_id",
            "start_time", "end_time", "data", "created_at", "updated_at"], meeting.Select(p => p.Key));
        Assert.Equal(userId, meeting["user_id"]!.GetValue<long>());
        Assert.Equal("active", meeting["status"]!.GetValue<string>());
        Assert.Equal($"https://meet.google.com/{meetId}", meeting["constructed_meeting_url"]!.GetValue<string>());
        var ourId = meeting["id"]!.GetValue<long>();

        var status = await (await fixture.AsUserAsync(_bots, userId, HttpMethod.Get, "/bots/status")).JsonAsync();
        var bot = status["running_bots"]!.AsArray().Single()!;
        Assert.Equal(ourId.ToString(), bot["meeting_id_from_name"]!.GetValue<string>());
        Assert.Equal(meetId, bot["native_meeting_id"]!.GetValue<string>());
        Assert.StartsWith($"vexa-bot-{ourId}-", bot["container_name"]!.GetValue<string>());
        Assert.Equal(userId.ToString(), bot["labels"]!["vexa.user_id"]!.GetValue<string>());

        var reconfigured = await fixture.AsUserAsync(_bots, userId, HttpMethod.Put, $"/bots/google_meet/{meetId}/config", new { language = "de" });
        Assert.Equal(HttpStatusCode.Accepted, reconfigured.StatusCode);
        Assert.Equal("Reconfiguration request accepted and sent to the bot.", (await reconfigured.JsonAsync())["message"]!.GetValue<string>());

        var stopped = await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.Accepted, stopped.StatusCode);
        Assert.Equal("Stop request accepted and is being processed.", (await stopped.JsonAsync())["message"]!.GetValue<string>());

        var again = await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("Meeting already stopping.", (await again.JsonAsync())["message"]!.GetValue<string>());

        var notActive = await fixture.AsUserAsync(_bots, userId, HttpMethod.Put, $"/bots/google_meet/{meetId}/config", new { });
        Assert.Equal(HttpStatusCode.Conflict, notActive.StatusCode);
        Assert.Equal("Meeting found but is not active (status: 'stopping'). Cannot reconfigure.", await notActive.DetailAsync());
    }

    [Fact]
    public async Task Stopping_a_bot_that_left_unreported_takes_its_final_state_from_that_meeting_alone()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var ourId = await fixture.StartBotAsync(userId, meetId);
        await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        await RetailerFixture.WaitUntilAsync(async () => await fixture.MeetingStatusAsync(ourId) == "completed");
        await fixture.LoseCompletionAsync(ourId, DateTime.UtcNow); // as if its completion webhook never came

        var listings = await fixture.MeetingListingsAsync();
        var stop = await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");

        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        Assert.Equal("Meeting already completed.", (await stop.JsonAsync())["message"]!.GetValue<string>());
        Assert.Equal("completed", await fixture.MeetingStatusAsync(ourId));
        Assert.Equal(listings, await fixture.MeetingListingsAsync());
    }

    [Fact]
    public async Task Another_user_never_sees_or_stops_the_bot_and_learns_nothing_from_a_conflict()
    {
        var alice = await fixture.NewUserAsync();
        var bob = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.AsUserAsync(_bots, alice, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId })).StatusCode);

        var bobStatus = await (await fixture.AsUserAsync(_bots, bob, HttpMethod.Get, "/bots/status")).JsonAsync();
        Assert.Empty(bobStatus["running_bots"]!.AsArray());

        var bobStop = await fixture.AsUserAsync(_bots, bob, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.NotFound, bobStop.StatusCode);
        Assert.Equal("No meeting found to stop.", await bobStop.DetailAsync());

        var bobConfig = await fixture.AsUserAsync(_bots, bob, HttpMethod.Put, $"/bots/google_meet/{meetId}/config", new { language = "en" });
        Assert.Equal(HttpStatusCode.NotFound, bobConfig.StatusCode);

        var bobStart = await fixture.AsUserAsync(_bots, bob, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Conflict, bobStart.StatusCode);
        var detail = await bobStart.DetailAsync();
        Assert.DoesNotContain(alice.ToString(), detail);
        Assert.Equal("A bot is already active or requested for this platform and meeting ID.", detail);

        // Alice's bot is untouched.
        var aliceStatus = await (await fixture.AsUserAsync(_bots, alice, HttpMethod.Get, "/bots/status")).JsonAsync();
        Assert.Single(aliceStatus["running_bots"]!.AsArray());
    }

    [Fact]
    public async Task A_duplicate_start_by_the_same_user_is_409_with_vexas_message()
    {
        var userId = await fixture.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var first = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        var id = (await first.JsonAsync())["id"]!.GetValue<long>();
        var second = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal($"An active or requested meeting already exists for this platform and meeting ID. Meeting ID: {id}", await second.DetailAsync());
    }

    [Theory]
    [InlineData("bot-manager", "DELETE", "/bots/skype/abc-defg-hij")]
    [InlineData("bot-manager", "PUT", "/bots/skype/abc-defg-hij/config")]
    [InlineData("transcripts", "GET", "/transcripts/skype/abc-defg-hij")]
    [InlineData("transcripts", "PATCH", "/meetings/skype/abc-defg-hij")]
    [InlineData("transcripts", "DELETE", "/meetings/skype/abc-defg-hij")]
    public async Task Each_service_refuses_an_unknown_platform_in_the_path_on_its_own(string service, string method, string path)
    {
        var userId = await fixture.NewUserAsync();
        var client = service == "bot-manager" ? _bots : fixture.Transcripts.CreateClient();
        var response = await fixture.AsUserAsync(client, userId, new HttpMethod(method), path, new { data = new { name = "x" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("platform", (await response.JsonAsync())["detail"]![0]!["loc"]![1]!.GetValue<string>());
    }

    [Theory]
    [InlineData("google_meet", "ABC-DEFG-HIJ")]
    [InlineData("google_meet", "https://meet.google.com/abc-defg-hij")]
    [InlineData("zoom", "12345")]
    [InlineData("teams", "not-digits")]
    public async Task A_native_id_that_cannot_make_a_meeting_url_is_422(string platform, string nativeId)
    {
        var userId = await fixture.NewUserAsync();
        var response = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform, native_meeting_id = nativeId });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Invalid platform/native_meeting_id combination: cannot construct meeting URL", await response.DetailAsync());
    }

    [Theory]
    [InlineData("{\"platform\": \"skype\", \"native_meeting_id\": \"x\"}", "platform")]
    [InlineData("{\"native_meeting_id\": \"abc-defg-hij\"}", "platform")]
    [InlineData("{\"platform\": \"google_meet\", \"native_meeting_id\": 42}", "native_meeting_id")]
    public async Task Bad_bodies_get_pydantic_422s(string body, string field)
    {
        var userId = await fixture.NewUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bots") { Content = HttpExtensions.RawJson(body) };
        request.Headers.Add("X-Vexa-Caller", fixture.Signer.Sign(userId));
        var response = await _bots.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(field, (await response.JsonAsync())["detail"]![0]!["loc"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task The_wholesalers_own_limit_is_a_503_that_says_retry_later_and_leaves_no_row()
    {
        var userId = await fixture.NewUserAsync(maxBots: 1000);
        var baseline = await RunningAtWholesalerAsync();
        var started = new List<string>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < RetailerFixture.EmulatorBotLimit + 10 && refused is null; i++)
        {
            var meetId = RetailerFixture.NewMeetId();
            var response = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
            if (response.StatusCode == HttpStatusCode.Created)
            {
                started.Add(meetId);
            }
            else
            {
                refused = response;
            }
        }
        try
        {
            Assert.NotNull(refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused!.StatusCode);
            Assert.Equal("The meeting service is at capacity right now. Please retry later.", await refused.DetailAsync());
            await using var db = fixture.NewDbContext();
            Assert.Equal(started.Count, db.Meetings.Count(m => m.UserId == userId));
        }
        finally
        {
            foreach (var meetId in started)
            {
                await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
            }
            // Give the capacity back before the next test runs.
            await RetailerFixture.WaitUntilAsync(async () => await RunningAtWholesalerAsync() <= baseline);
        }
    }

    private async Task<int> RunningAtWholesalerAsync() =>
        (await fixture.Wholesaler.GetFromJsonAsync<JsonObject>("/bots/status"))!["running_bots"]!.AsArray().Count;

    [Fact]
    public async Task The_wholesaler_only_ever_receives_the_system_key()
    {
        var userId = await fixture.NewUserAsync();
        await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
        await fixture.AsUserAsync(_bots, userId, HttpMethod.Get, "/bots/status");

        var seen = (await fixture.EmulatorStatsAsync())["api_keys_seen"]!.AsObject().Select(p => p.Key).ToList();
        var systemKeyHash = VexaService.Keys.ApiKeyHash.Compute(TestEnvironment.WholesalerKey)[..8];
        Assert.Equal([systemKeyHash], seen);
    }
}
