using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Generations;

/// <summary>What only Vexa 0.12 does, as our users see it (vexa-0.12.md §7.1, rows 4, 5, 10, 13, 16).</summary>
[Collection(Vexa012Collection.Name)]
public sealed class Vexa012Tests(Vexa012Stack stack)
{
    private readonly HttpClient _bots = stack.BotManager.CreateClient();
    private readonly HttpClient _transcripts = stack.Transcripts.CreateClient();

    [Fact]
    public async Task Reconfiguring_a_running_bot_is_a_409_that_says_it_cannot_be_done_here()
    {
        var userId = await stack.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var id = await stack.StartBotAsync(userId, meetId);
        await RetailerFixture.WaitUntilAsync(async () => await stack.MeetingStatusAsync(id) == "active");

        var answer = await stack.AsUserAsync(_bots, userId, HttpMethod.Put, $"/bots/google_meet/{meetId}/config", new { language = "de" });
        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.Equal(BotLifecycle.CannotReconfigure, (await answer.JsonAsync())["detail"]!.GetValue<string>());
        await stack.StopAndWaitCompletedAsync(userId, meetId, id);
    }

    [Fact]
    public async Task A_zoom_bot_starts_with_the_meeting_url_0_12_requires()
    {
        var userId = await stack.NewUserAsync();
        var zoomId = string.Concat(Enumerable.Range(0, 10).Select(_ => (char)('0' + Random.Shared.Next(10))));
        var answer = await stack.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "zoom", native_meeting_id = zoomId, passcode = "123456" });
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var theirs = (await stack.Wholesaler.GetFromJsonAsync<JsonObject>("/bots?limit=100"))!["meetings"]!.AsArray()
            .Single(m => m!["native_meeting_id"]!.GetValue<string>() == zoomId)!;
        Assert.Equal("zoom", theirs["platform"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_older_meetings_transcript_is_its_own_though_0_12_ignores_meeting_id()
    {
        var userId = await stack.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        // An older meeting of ours with two segments, and a newer Wholesaler meeting on the same native id with five.
        var older = RetailerFixture.NewWholesalerId();
        var issuer = await stack.WholesalerHoldsAsync(older, meetId, "completed", segments: 2,
            startTime: DateTime.UtcNow.AddMinutes(-10).ToString("o"), endTime: DateTime.UtcNow.AddMinutes(-5).ToString("o"));
        var ours = await stack.InsertMeetingAsync(userId, issuer, older, meetId, "completed");
        await stack.WholesalerHoldsAsync(older + 1, meetId, "completed", segments: 5);

        var transcript = await (await stack.AsUserAsync(_transcripts, userId, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).JsonAsync();
        Assert.Equal(ours, transcript["id"]!.GetValue<long>());
        Assert.Equal(2, transcript["segments"]!.AsArray().Count); // the newest segment, held twice by 0.12, shown once
    }

    [Fact]
    public async Task A_bot_cap_refusal_is_our_503_at_capacity_and_holds_nobody_else_back()
    {
        // A 0.12 whose system user may run one bot: its 429 for the second is a refusal, not a rate limit.
        await using var emulator = Emulator(new() { ["Emulator:MaxConcurrentBots"] = "1" }, out var address);
        await using var bots = BotManagerOn(address);
        var client = bots.CreateClient();
        var (alice, bob) = (await stack.NewUserAsync(), await stack.NewUserAsync());
        var first = await stack.AsUserAsync(client, alice, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());

        var refused = await stack.AsUserAsync(client, bob, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() });
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
        Assert.Equal(BotLifecycle.AtCapacity, (await refused.JsonAsync())["detail"]!.GetValue<string>());
        // Nobody waits a rate limit out: the next call goes to the Wholesaler at once.
        Assert.Equal(HttpStatusCode.OK, (await stack.AsUserAsync(client, alice, HttpMethod.Get, "/bots/status")).StatusCode);
    }

    [Theory]
    [InlineData("bot", "lacks the scope(s) tx")]
    [InlineData("bot,tx", "may run 0 bots at once")]
    public async Task A_system_key_that_cannot_do_our_work_stops_the_start_with_what_to_change(string scopes, string told)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Emulator:MaxConcurrentBots"] = scopes.Contains("tx") ? "0" : "5",
            ["Emulator:SystemKeyScopes"] = scopes,
        };
        await using var emulator = Emulator(settings, out var address);
        await using var bots = BotManagerOn(address);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(() => bots.CreateClient()));
        Assert.Contains(told, error.GetBaseException().Message);
    }

    private static ServiceFactory<VexaService.WholesalerEmulator.WholesalerEmulatorMarker> Emulator(Dictionary<string, string?> extra, out string address)
    {
        var port = Loopback.FreePort();
        address = $"http://127.0.0.1:{port}";
        var settings = new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
            ["Emulator:Behaviour"] = "0.12",
            ["Emulator:GenerationLimits"] = "false",
            ["Emulator:BotJoinDelayMs"] = "50",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        var emulator = new ServiceFactory<VexaService.WholesalerEmulator.WholesalerEmulatorMarker>(settings);
        emulator.UseKestrelOn(port);
        emulator.StartServer();
        return emulator;
    }

    private ServiceFactory<VexaService.BotManager.BotManagerMarker> BotManagerOn(string address) => stack.NewBotManager(new()
    {
        ["Wholesaler:BaseAddress"] = address,
        ["Wholesaler:SharedStateScope"] = Guid.NewGuid().ToString("N"),
    });
}
