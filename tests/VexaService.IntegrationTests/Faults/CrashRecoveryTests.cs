using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.BotManager;
using VexaService.BotManager.Services;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.IntegrationTests.Faults;

/// <summary>Processes dying at the worst moment: the work is finished after restart, and nothing is done twice.</summary>
[Collection(FaultCollection.Name)]
public sealed class CrashRecoveryTests(FaultStack stack)
{
    /// <summary>Lets the Wholesaler start the bot, then "kills the process" before BotManager can record the answer.</summary>
    private sealed class DieAfterStart : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.Method == HttpMethod.Post && response.StatusCode == HttpStatusCode.Created)
            {
                throw new OperationCanceledException("process killed after the Wholesaler started the bot");
            }
            return response;
        }
    }

    [Fact]
    public async Task A_bot_manager_killed_between_the_wholesaler_call_and_its_commit_is_healed_once()
    {
        var (userId, key) = await stack.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var startsBefore = await BotStartsAsync();

        // A BotManager replica that dies at the worst moment.
        await using (var doomed = new ServiceFactory<BotManagerMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = stack.ConnectionString,
            ["ConnectionStrings:cache"] = $"127.0.0.1:{stack.Redis.Port}",
            ["Wholesaler:BaseAddress"] = stack.Wholesaler.BaseAddress!.ToString(),
        }).WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddHttpClient<WholesalerClient>().AddHttpMessageHandler(() => new DieAfterStart()))))
        {
            var signer = new VexaService.Http.CallerToken(
                Microsoft.Extensions.Options.Options.Create(new VexaService.Http.IdentityOptions { SigningKey = TestEnvironment.SigningKey }),
                TimeProvider.System);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/bots")
            {
                Content = JsonContent.Create(new { platform = "google_meet", native_meeting_id = meetId }),
            };
            request.Headers.Add("X-Vexa-Caller", signer.Sign(userId));
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                var response = await doomed.CreateClient().SendAsync(request);
                response.EnsureSuccessStatusCode();
            });
        }

        // What the crash left: a requested row without the Wholesaler's id, and a bot the Wholesaler runs.
        await using (var db = stack.NewDbContext())
        {
            var row = await db.Meetings.SingleAsync(m => m.UserId == userId);
            Assert.Equal(MeetingStatus.Requested, row.Status);
            Assert.Null(row.WholesalerMeetingId);
        }

        // After the restart, the reconciler (grace 0 in this stack) finishes the work: the bot is the user's.
        var report = await stack.BotManager.Services.GetRequiredService<BotReconciler>().RunOnceAsync(CancellationToken.None);
        Assert.True(report.Adopted >= 1, report.ToString());
        var status = await (await stack.SendAsync(key, HttpMethod.Get, "/bots/status")).JsonAsync();
        Assert.Equal(meetId, status["running_bots"]!.AsArray().Single()!["native_meeting_id"]!.GetValue<string>());

        // Nothing twice: one bot started at the Wholesaler, and a retry by the user is a duplicate, not a second bot.
        var retry = await stack.SendAsync(key, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(startsBefore + 1, await BotStartsAsync());
    }

    [Fact]
    public async Task A_completion_webhook_the_wholesaler_repeats_is_delivered_once()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var (userId, key) = await stack.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(key, HttpMethod.Put, "/user/webhook", new { webhook_url = hook.Url })).StatusCode);
        var meetId = RetailerFixture.NewMeetId();
        await stack.SendAsync(key, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        await stack.SendAsync(key, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!hook.Requests.IsEmpty));

        // The Wholesaler sends the same completion again (a retry on its side, a replayed request).
        long wholesalerId;
        await using (var db = stack.NewDbContext())
        {
            wholesalerId = (await db.Meetings.SingleAsync(m => m.UserId == userId)).WholesalerMeetingId!.Value;
        }
        var listing = await stack.Wholesaler.GetAsync("/meetings");
        var meeting = (await listing.Content.ReadFromJsonAsync<JsonObject>())!["meetings"]!.AsArray()
            .Single(m => m!["id"]!.GetValue<long>() == wholesalerId)!;
        using var callback = new HttpClient { BaseAddress = new Uri(stack.TranscriptsUrl) };
        // As the Wholesaler sends it: with the instance that issued the id.
        callback.DefaultRequestHeaders.Add("X-Wholesaler-Instance", listing.Headers.GetValues("X-Wholesaler-Instance"));
        var replay = await callback.PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}", meeting);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        await Task.Delay(1500); // several dispatcher passes
        Assert.Single(hook.Requests);
    }

    private async Task<int> BotStartsAsync() =>
        (await stack.Wholesaler.GetFromJsonAsync<JsonObject>("/_emulator/stats"))!["bot_starts"]!.GetValue<int>();
}
