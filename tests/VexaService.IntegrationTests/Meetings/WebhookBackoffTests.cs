using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Transcripts;
using VexaService.Transcripts.Webhooks;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>The retry schedule of docs/webhooks.md, on a clock the test moves: 2 s doubling to 10 min, 12 attempts, then failed.</summary>
public sealed class WebhookBackoffTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_receiver_that_always_fails_is_retried_on_the_stated_schedule_and_then_given_up()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var hook = await WebhookReceiver.StartAsync(failFirst: int.MaxValue);
        // A day ahead, on a whole second: the host's own dispatcher (real clock) never finds this row due.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        var clock = new ManualClock(start);
        long deliveryId;
        await using (var db = isolated.NewDbContext())
        {
            var user = new User { Email = TestEnvironment.UniqueEmail("backoff"), Data = new JsonObject { ["webhook_url"] = hook.Url }.ToJsonString() };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            var meeting = new Meeting { UserId = user.Id, Platform = "google_meet", NativeMeetingId = "abc-defg-hij", Status = MeetingStatus.Completed };
            db.Meetings.Add(meeting);
            await db.SaveChangesAsync();
            var delivery = new WebhookDelivery
            {
                MeetingId = meeting.Id, UserId = user.Id, EventKey = "meeting.completed", Payload = "{}",
                NextAttemptAt = start.UtcDateTime, CreatedAt = start.UtcDateTime,
            };
            db.WebhookDeliveries.Add(delivery);
            await db.SaveChangesAsync();
            deliveryId = delivery.Id;
        }
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = isolated.ConnectionString,
            ["Wholesaler:BaseAddress"] = "http://127.0.0.1:9", // not called: this test is about deliveries only
            ["Webhooks:DispatcherEnabled"] = "false", // the test's own dispatcher, on its clock, is the only one
        });
        var services = transcripts.Services;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>();
        var dispatcher = new WebhookDispatcher(services.GetRequiredService<IServiceScopeFactory>(),
            new WebhookSender(services.GetRequiredService<IHttpClientFactory>(), options, clock), services.GetRequiredService<OutboxSignal>(),
            options, NullLogger<WebhookDispatcher>.Instance, clock, services.GetRequiredService<VexaService.Observability.VexaMetrics>());

        // The gap before each attempt: none, then 2 s doubling, at most 10 min.
        var gaps = new[] { 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600 }.Select(s => TimeSpan.FromSeconds(s)).ToList();
        for (var attempt = 1; attempt <= gaps.Count; attempt++)
        {
            if (gaps[attempt - 1] > TimeSpan.Zero)
            {
                clock.Now += gaps[attempt - 1] - TimeSpan.FromMilliseconds(1);
                Assert.Equal(0, await dispatcher.DeliverDueAsync(CancellationToken.None)); // a millisecond early: not yet
                clock.Now += TimeSpan.FromMilliseconds(1);
            }
            Assert.Equal(1, await dispatcher.DeliverDueAsync(CancellationToken.None));
            Assert.Equal(attempt, hook.Requests.Count);
        }

        await using (var db = isolated.NewDbContext())
        {
            var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId);
            Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
            Assert.Equal(12, delivery.Attempts);
            Assert.Equal("HTTP 500", delivery.LastError);
        }
        clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(0, await dispatcher.DeliverDueAsync(CancellationToken.None)); // given up for good
        Assert.Equal(12, hook.Requests.Count);
    }
}
