using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager;
using VexaService.BotManager.Services;
using VexaService.Data;
using VexaService.Http;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Transcripts;
using VexaService.Wholesaler.Generations;
using VexaService.WholesalerEmulator;

namespace VexaService.IntegrationTests.Generations;

/// <summary>
/// An operator moves the Retailer from a Vexa of 2025-09 to a Vexa 0.12 at the same address and restarts it on the same
/// database (issue 31): every old meeting stays readable, a meeting live at the old Vexa is failed (its bot went with
/// it), new bots work, and no id of the new Vexa is taken for an old one.
/// </summary>
public sealed class GenerationSwitchTests
{
    private readonly CallerToken _signer = new(Microsoft.Extensions.Options.Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }),
        TimeProvider.System);

    private static ServiceFactory<WholesalerEmulatorMarker> StartEmulator(int port, string generation)
    {
        var emulator = new ServiceFactory<WholesalerEmulatorMarker>(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
            ["Emulator:Behaviour"] = generation,
            ["Emulator:GenerationLimits"] = "false",
            ["Emulator:BotJoinDelayMs"] = "50",
            ["Emulator:SegmentIntervalMs"] = "50",
            ["Emulator:SegmentFinalizeDelayMs"] = "0",
            ["Emulator:StatusStepMs"] = "100",
            ["Emulator:StopDelayMs"] = "200",
        });
        emulator.UseKestrelOn(port);
        emulator.StartServer();
        return emulator;
    }

    private static Dictionary<string, string?> Settings(string database, int wholesalerPort, string? transcriptsUrl = null) => new()
    {
        ["ConnectionStrings:vexadb"] = database,
        ["Wholesaler:BaseAddress"] = $"http://127.0.0.1:{wholesalerPort}",
        ["Wholesaler:Generation"] = "auto",
        ["Wholesaler:BudgetPerSecond"] = "0",
        ["Wholesaler:RunningBotsMaxAge"] = "00:00:00",
        ["Wholesaler:SharedStateScope"] = Guid.NewGuid().ToString("N"),
        ["Reconciler:Interval"] = "01:00:00",
        ["Reconciler:Grace"] = "00:00:00",
        ["Webhooks:PublicBaseUrl"] = transcriptsUrl,
        ["Webhooks:PollInterval"] = "00:00:00.200",
    };

    private async Task<HttpResponseMessage> AsUserAsync(HttpClient service, long userId, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(CallerToken.HeaderName, _signer.Sign(userId));
        return await service.SendAsync(request);
    }

    [Fact]
    public async Task Old_meetings_stay_readable_and_new_bots_work_after_moving_from_2025_09_to_0_12()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        var port = Loopback.FreePort();
        long ann, carl, bob;
        await using (var db = isolated.NewDbContext())
        {
            var users = new[] { new User { Email = TestEnvironment.UniqueEmail("ann"), MaxConcurrentBots = 3 },
                new User { Email = TestEnvironment.UniqueEmail("carl"), MaxConcurrentBots = 3 },
                new User { Email = TestEnvironment.UniqueEmail("bob"), MaxConcurrentBots = 3 } };
            db.Users.AddRange(users);
            await db.SaveChangesAsync();
            (ann, carl, bob) = (users[0].Id, users[1].Id, users[2].Id);
        }
        string annMeet = RetailerFixture.NewMeetId(), carlMeet = RetailerFixture.NewMeetId(), bobMeet = RetailerFixture.NewMeetId();
        long annMeeting, carlMeeting;

        // Before: Vexa of 2025-09. Ann's meeting ends; Carl's is live when the operator switches.
        await using (var before = StartEmulator(port, "2025-09"))
        await using (var bots = new ServiceFactory<BotManagerMarker>(Settings(isolated.ConnectionString, port)))
        {
            Assert.Equal("2025-09", (await bots.Services.GetRequiredService<CurrentGeneration>().GetAsync(CancellationToken.None)).Name);
            var client = bots.CreateClient();
            annMeeting = (await (await AsUserAsync(client, ann, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = annMeet })).JsonAsync())["id"]!.GetValue<long>();
            carlMeeting = (await (await AsUserAsync(client, carl, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = carlMeet })).JsonAsync())["id"]!.GetValue<long>();
            Assert.Equal(HttpStatusCode.Accepted, (await AsUserAsync(client, ann, HttpMethod.Delete, $"/bots/google_meet/{annMeet}")).StatusCode);
            // No webhook reaches this stack: the reconciler's pass takes the end from the Wholesaler.
            await RetailerFixture.WaitUntilAsync(async () =>
            {
                await bots.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
                return await TestEnvironment.MeetingStatusAsync(annMeeting, isolated.ConnectionString) == "completed";
            });
        }

        // After: Vexa 0.12 at the same address, fresh (its ids start at 1 again); the Retailer restarted on the same data.
        await using var after = StartEmulator(port, "0.12");
        await using var botManager = new ServiceFactory<BotManagerMarker>(Settings(isolated.ConnectionString, port));
        var transcriptsPort = Loopback.FreePort();
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(Settings(isolated.ConnectionString, port, $"http://127.0.0.1:{transcriptsPort}"));
        transcripts.UseKestrelOn(transcriptsPort);
        transcripts.StartServer();
        Assert.Equal("0.12", (await botManager.Services.GetRequiredService<CurrentGeneration>().GetAsync(CancellationToken.None)).Name);
        var (botsClient, transcriptsClient) = (botManager.CreateClient(), transcripts.CreateClient());

        // Ann's old meeting is listed and read without an error; what the old Vexa held is gone with it, never taken
        // from the new one's meeting of the same number.
        var annMeetings = await (await AsUserAsync(transcriptsClient, ann, HttpMethod.Get, "/meetings")).JsonAsync();
        Assert.Equal(annMeeting, Assert.Single(annMeetings["meetings"]!.AsArray())!["id"]!.GetValue<long>());
        var annTranscript = await AsUserAsync(transcriptsClient, ann, HttpMethod.Get, $"/transcripts/google_meet/{annMeet}");
        Assert.True(annTranscript.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{annTranscript.StatusCode}");
        if (annTranscript.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal(annMeeting, (await annTranscript.JsonAsync())["id"]!.GetValue<long>());
        }

        // Bob's new bot works on 0.12, and takes none of the old ids' meanings.
        var bobStart = await AsUserAsync(botsClient, bob, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = bobMeet });
        Assert.Equal(HttpStatusCode.Created, bobStart.StatusCode);
        var bobMeeting = (await bobStart.JsonAsync())["id"]!.GetValue<long>();
        Assert.Empty((await (await AsUserAsync(botsClient, carl, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray());
        Assert.Equal(bobMeeting.ToString(), Assert.Single((await (await AsUserAsync(botsClient, bob, HttpMethod.Get, "/bots/status")).JsonAsync())
            ["running_bots"]!.AsArray())!["meeting_id_from_name"]!.GetValue<string>());

        // Carl's meeting was live at the old Vexa: its bot went with it. One pass frees his slot and native id.
        await botManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(MeetingStatus.Failed, await TestEnvironment.MeetingStatusAsync(carlMeeting, isolated.ConnectionString));
        Assert.Equal(HttpStatusCode.Created,
            (await AsUserAsync(botsClient, carl, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = carlMeet })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await AsUserAsync(botsClient, bob, HttpMethod.Delete, $"/bots/google_meet/{bobMeet}")).StatusCode);
    }
}
