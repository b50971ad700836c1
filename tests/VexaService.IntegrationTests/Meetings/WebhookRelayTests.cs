using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Transcripts;
using VexaService.Transcripts.Webhooks;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>Completion webhooks from the Wholesaler reach the owning user only, signed, retried, and survive a restart.</summary>
[Collection(RetailerCollection.Name)]
public sealed class WebhookRelayTests(RetailerFixture fixture)
{
    private const string Secret = "user-webhook-secret-0123456789";
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();

    private async Task<(long MeetingId, string MeetId)> RunMeetingAsync(long userId)
    {
        var meetId = RetailerFixture.NewMeetId();
        var started = await fixture.AsUserAsync(_bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var meetingId = (await started.JsonAsync())["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.AsUserAsync(_bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}")).StatusCode);
        return (meetingId, meetId);
    }

    /// <summary>What docs/webhooks.md promises, computed here rather than with the code under test.</summary>
    private static string ExpectedSignature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>
    /// A user whose webhook goes to <paramref name="webhookUrl"/> and an active meeting of theirs, in an isolated
    /// database, mapped to a meeting that the Wholesaler has just completed (the webhook a test posts is read back).
    /// </summary>
    private async Task<(long MeetingId, long WholesalerId, string MeetId)> SeedCompletedAtWholesalerAsync(IsolatedDatabase isolated,
        string emailTag, string webhookUrl, string? webhookSecret = null)
    {
        var (wholesalerId, meetId) = (RetailerFixture.NewWholesalerId(), RetailerFixture.NewMeetId());
        var issuer = await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "completed", endTime: "2026-11-25T10:00:00");
        await using var db = isolated.NewDbContext();
        var user = new User
        {
            Email = TestEnvironment.UniqueEmail(emailTag), Data = new JsonObject { ["webhook_url"] = webhookUrl }.ToJsonString(),
            WebhookSecret = webhookSecret,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var meeting = new Meeting
        {
            UserId = user.Id, Platform = "google_meet", NativeMeetingId = meetId, WholesalerMeetingId = wholesalerId,
            WholesalerIssuer = issuer, Status = MeetingStatus.Active,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return (meeting.Id, wholesalerId, meetId);
    }

    [Theory]
    [InlineData(RetailerFixture.Dfc7c83e)]
    [InlineData(RetailerFixture.September2025)] // the Wholesaler's status webhooks come too; the owner is told the end once
    public async Task The_owner_gets_a_signed_payload_with_our_ids_and_nobody_else_gets_anything(string vexa)
    {
        await fixture.PlayAsync(vexa);
        try
        {
            await OwnerOnlyAsync();
        }
        finally
        {
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    private async Task OwnerOnlyAsync()
    {
        await using var aliceHook = await WebhookReceiver.StartAsync();
        await using var bobHook = await WebhookReceiver.StartAsync();
        var alice = await fixture.NewUserAsync(webhookUrl: aliceHook.Url, webhookSecret: Secret);
        await fixture.NewUserAsync(webhookUrl: bobHook.Url);

        var (meetingId, meetId) = await RunMeetingAsync(alice);
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!aliceHook.Requests.IsEmpty));

        var received = Assert.Single(aliceHook.Requests);
        Assert.Equal(ExpectedSignature(Secret, received.Body), received.Signature);
        var payload = JsonNode.Parse(received.Body)!.AsObject();
        Assert.Equal(["id", "user_id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "bot_container_id",
            "start_time", "end_time", "data", "created_at", "updated_at"], payload.Select(p => p.Key));
        Assert.Equal(meetingId, payload["id"]!.GetValue<long>());
        Assert.Equal(alice, payload["user_id"]!.GetValue<long>());
        Assert.Equal(meetId, payload["native_meeting_id"]!.GetValue<string>());
        Assert.Equal("completed", payload["status"]!.GetValue<string>());
        await Task.Delay(500); // room for a second event, which must not come
        Assert.Single(aliceHook.Requests);
        Assert.Empty(bobHook.Requests);
    }

    [Fact]
    public async Task Unsigned_when_the_user_set_no_secret()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var userId = await fixture.NewUserAsync(webhookUrl: hook.Url);
        await RunMeetingAsync(userId);
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!hook.Requests.IsEmpty));
        Assert.Null(hook.Requests.Single().Signature);
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_event_on_the_third_attempt()
    {
        await using var hook = await WebhookReceiver.StartAsync(failFirst: 2);
        var userId = await fixture.NewUserAsync(webhookUrl: hook.Url, webhookSecret: Secret);
        var (meetingId, _) = await RunMeetingAsync(userId);

        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(hook.Requests.Any(r => r.Accepted)), timeoutMs: 15_000);

        Assert.Equal([false, false, true], hook.Requests.Select(r => r.Accepted));
        Assert.Single(hook.Requests.Select(r => r.Body).Distinct()); // the same event each time
        // The dispatcher records the outcome after the receiver's answer reaches it: wait for that, not for the receiver.
        WebhookDelivery? delivery = null;
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = TestEnvironment.NewDbContext();
            delivery = await db.WebhookDeliveries.SingleAsync(d => d.MeetingId == meetingId, TestContext.Current.CancellationToken);
            return delivery.Status != WebhookDeliveryStatus.Pending;
        }, timeoutMs: 5_000);
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery!.Status);
        Assert.Equal(3, delivery.Attempts);
    }

    [Fact]
    public async Task An_event_received_before_a_restart_is_delivered_after_it()
    {
        // A database of its own: every Transcripts replica on a database delivers its outbox, so the shared one's
        // dispatchers would deliver the event before the "restart" this test is about.
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var hook = await WebhookReceiver.StartAsync();
        var (meetingId, wholesalerId, meetId) = await SeedCompletedAtWholesalerAsync(isolated, "restart", hook.Url, webhookSecret: Secret);
        Dictionary<string, string?> Settings(bool deliver) => new()
        {
            ["ConnectionStrings:vexadb"] = isolated.ConnectionString,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Webhooks:DispatcherEnabled"] = deliver ? "true" : "false",
        };

        // The first instance receives the completion and stops before delivering it (as if it crashed).
        await using (var first = new ServiceFactory<TranscriptsMarker>(Settings(deliver: false)))
        {
            _ = first.Server;
            var received = await first.CreateClient().PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}",
                new { id = wholesalerId, platform = "google_meet", native_meeting_id = meetId, status = "completed", end_time = "2026-11-25T10:00:00" });
            Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        }
        Assert.Empty(hook.Requests);
        await using (var db = isolated.NewDbContext())
        {
            Assert.Equal(WebhookDeliveryStatus.Pending, (await db.WebhookDeliveries.SingleAsync(d => d.MeetingId == meetingId)).Status);
        }

        // After the restart, the new instance finds the event in the outbox and delivers it.
        await using (var second = new ServiceFactory<TranscriptsMarker>(Settings(deliver: true)))
        {
            _ = second.Server; // start it
            await RetailerFixture.WaitUntilAsync(() => Task.FromResult(!hook.Requests.IsEmpty));
        }
        var request = hook.Requests.Single();
        Assert.Equal(ExpectedSignature(Secret, request.Body), request.Signature); // signed after the restart too
        var delivered = JsonNode.Parse(request.Body)!;
        Assert.Equal(meetingId, delivered["id"]!.GetValue<long>());
        Assert.Equal("completed", delivered["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Outside_run_mode_a_webhook_to_a_private_address_is_refused_and_recorded()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var hook = await WebhookReceiver.StartAsync(); // on 127.0.0.1
        var (meetingId, wholesalerId, meetId) = await SeedCompletedAtWholesalerAsync(isolated, "ssrf", hook.Url);
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = isolated.ConnectionString,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Webhooks:AllowPrivateTargets"] = "false",
        });
        var received = await transcripts.CreateClient().PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}",
            new { id = wholesalerId, platform = "google_meet", native_meeting_id = meetId, status = "completed" });
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);

        WebhookDelivery? delivery = null;
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = isolated.NewDbContext();
            delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.MeetingId == meetingId && d.Attempts > 0);
            return delivery is not null;
        });
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery!.Status); // retried later, like any failed delivery
        Assert.Contains(WebhookTargetGuard.Refusal, delivery.LastError);
        Assert.Empty(hook.Requests);
    }

    [Fact]
    public async Task A_wrong_secret_or_an_unknown_meeting_is_refused_and_queues_nothing()
    {
        var transcripts = fixture.Transcripts.CreateClient();
        // Not a count of the table: earlier tests' bots still send their last webhooks, which queue deliveries meanwhile.
        long before;
        await using (var db = TestEnvironment.NewDbContext())
        {
            before = await db.WebhookDeliveries.MaxAsync(d => (long?)d.Id, TestContext.Current.CancellationToken) ?? 0;
        }
        var meetId = RetailerFixture.NewMeetId();
        var payload = new { id = 987_654_321, status = "completed", platform = "google_meet", native_meeting_id = meetId };

        var wrongSecret = await transcripts.PostAsJsonAsync("/internal/wholesaler-webhook/not-the-secret", payload);
        Assert.Equal(HttpStatusCode.NotFound, wrongSecret.StatusCode);
        var unknown = await transcripts.PostAsJsonAsync($"/internal/wholesaler-webhook/{TestEnvironment.CallbackSecret}", payload);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await using var after = TestEnvironment.NewDbContext();
        Assert.False(await after.WebhookDeliveries.AnyAsync(d => d.Id > before && (d.Payload.Contains("987654321") || d.Payload.Contains(meetId)), TestContext.Current.CancellationToken));
    }
}
