using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Http;
using VexaService.WholesalerEmulator;

namespace VexaService.IntegrationTests.Bots;

/// <summary>
/// A Wholesaler that lost its state (the bundled emulator restarted on the same address, numbering from 1 again) while
/// our database kept its rows: its ids name other meetings now, and nothing may be confused with the old ones.
/// </summary>
public sealed class WholesalerRestartTests
{
    private static ServiceFactory<WholesalerEmulatorMarker> StartEmulator(int port)
    {
        var emulator = new ServiceFactory<WholesalerEmulatorMarker>(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
            ["Emulator:BotJoinDelayMs"] = "50",
            ["Emulator:StopDelayMs"] = "200",
        });
        emulator.UseKestrelOn(port);
        emulator.StartServer();
        return emulator;
    }

    [Fact]
    public async Task After_a_wholesaler_restart_a_new_bot_starts_and_no_old_meeting_is_confused_with_a_new_one()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        var port = Loopback.FreePort();
        var signer = new CallerToken(Microsoft.Extensions.Options.Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }),
            TimeProvider.System);
        await using var botManager = new ServiceFactory<BotManagerMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = isolated.ConnectionString,
            ["Wholesaler:BaseAddress"] = $"http://127.0.0.1:{port}",
            ["Reconciler:Interval"] = "01:00:00",
            ["Reconciler:Grace"] = "00:00:00",
        });
        var bots = botManager.CreateClient();
        async Task<HttpResponseMessage> AsUser(long userId, HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
            request.Headers.Add(CallerToken.HeaderName, signer.Sign(userId));
            return await bots.SendAsync(request);
        }
        long ann, bob;
        await using (var db = isolated.NewDbContext())
        {
            var users = new[] { new User { Email = TestEnvironment.UniqueEmail("ann") }, new User { Email = TestEnvironment.UniqueEmail("bob") } };
            db.Users.AddRange(users);
            await db.SaveChangesAsync();
            (ann, bob) = (users[0].Id, users[1].Id);
        }
        string annMeet = RetailerFixture.NewMeetId(), bobMeet = RetailerFixture.NewMeetId();

        var before = StartEmulator(port);
        var annStart = await AsUser(ann, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = annMeet });
        Assert.Equal(HttpStatusCode.Created, annStart.StatusCode);
        var annMeeting = (await annStart.JsonAsync())["id"]!.GetValue<long>();
        await before.DisposeAsync();

        // Same address, fresh state: the next meeting is the Wholesaler's meeting 1 again.
        await using var after = StartEmulator(port);
        var bobStart = await AsUser(bob, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = bobMeet });
        Assert.Equal(HttpStatusCode.Created, bobStart.StatusCode);
        var bobMeeting = (await bobStart.JsonAsync())["id"]!.GetValue<long>();

        // Bob sees his bot under his meeting; Ann does not see Bob's bot under her old meeting of the same number.
        var bobBots = (await (await AsUser(bob, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray();
        Assert.Equal(bobMeeting.ToString(), Assert.Single(bobBots)!["meeting_id_from_name"]!.GetValue<string>());
        Assert.Equal(bobMeet, bobBots[0]!["native_meeting_id"]!.GetValue<string>());
        Assert.Empty((await (await AsUser(ann, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray());

        // Ann's old meeting heals: its bot went with the old Wholesaler, so it is failed, and her native id is free again.
        await botManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
        await using (var db = isolated.NewDbContext())
        {
            Assert.Equal(MeetingStatus.Failed, db.Meetings.Single(m => m.Id == annMeeting).Status);
            Assert.Equal(MeetingStatus.Active, db.Meetings.Single(m => m.Id == bobMeeting).Status);
        }
        Assert.Equal(HttpStatusCode.Created,
            (await AsUser(ann, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = annMeet })).StatusCode);
        // Stopping Bob's bot stops Bob's bot only.
        Assert.Equal(HttpStatusCode.Accepted, (await AsUser(bob, HttpMethod.Delete, $"/bots/google_meet/{bobMeet}")).StatusCode);
        var annBots = (await (await AsUser(ann, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray();
        Assert.Equal(annMeet, Assert.Single(annBots)!["native_meeting_id"]!.GetValue<string>());
    }
}
