using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The events users choose (status changes, the completion), signed the standard way, and what they can see of their
/// deliveries: the log and a test event.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class WebhookEventsTests(RetailerFixture fixture)
{
    private const string Secret = "user-webhook-secret-0123456789";
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();

    /// <summary>Verifies with the StandardWebhooks package, which takes the key as whsec_ + base64.</summary>
    private static void VerifyStandard(WebhookReceiver.Received received)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in received.Headers)
        {
            headers[name] = value;
        }
        new StandardWebhook("whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret))).Verify(received.Body, headers);
    }

    private static JsonObject Body(WebhookReceiver.Received received) => JsonNode.Parse(received.Body)!.AsObject();

    private static bool IsCompletion(JsonObject body) => !body.ContainsKey("event_type");

    [Fact]
    public async Task One_meeting_of_vexa_2025_09_tells_each_status_change_once_in_order_then_the_completion()
    {
        await fixture.PlayAsync(RetailerFixture.September2025);
        try
        {
            await using var everything = await WebhookReceiver.StartAsync();
            await using var changesOnly = await WebhookReceiver.StartAsync();
            var alice = await fixture.NewUserAsync(webhookUrl: everything.Url, webhookSecret: Secret,
                events: [WebhookEvents.StatusChange, WebhookEvents.Completed]);
            var bob = await fixture.NewUserAsync(webhookUrl: changesOnly.Url, webhookSecret: Secret, events: [WebhookEvents.StatusChange]);
            var (aliceMeet, bobMeet) = (RetailerFixture.NewMeetId(), RetailerFixture.NewMeetId());
            var aliceMeeting = await fixture.StartBotAsync(alice, aliceMeet);
            var bobMeeting = await fixture.StartBotAsync(bob, bobMeet);
            await RetailerFixture.WaitUntilAsync(async () =>
                await fixture.MeetingStatusAsync(aliceMeeting) == "active" && await fixture.MeetingStatusAsync(bobMeeting) == "active");
            await fixture.StopAndWaitCompletedAsync(alice, aliceMeet, aliceMeeting);
            await fixture.StopAndWaitCompletedAsync(bob, bobMeet, bobMeeting);

            await RetailerFixture.WaitUntilAsync(() => Task.FromResult(everything.Requests.Any(r => IsCompletion(Body(r)))
                && changesOnly.Requests.Any(r => Body(r)["status_change"]?["to"]?.GetValue<string>() == "completed")));
            await Task.Delay(500); // room for an event that must not come

            var received = everything.Requests.ToList();
            var changes = received.Select(Body).Where(b => !IsCompletion(b)).ToList();
            Assert.Equal(["joining", "awaiting_admission", "active", "stopping", "completed"],
                changes.Select(c => c["status_change"]!["to"]!.GetValue<string>()));
            Assert.Equal(["requested", "joining", "awaiting_admission", "active", "stopping"],
                changes.Select(c => c["status_change"]!["from"]!.GetValue<string>()));
            Assert.All(changes, c =>
            {
                Assert.Equal(WebhookEvents.StatusChange, c["event_type"]!.GetValue<string>());
                Assert.Equal(aliceMeeting, c["meeting"]!["id"]!.GetValue<long>()); // our ids, not the Wholesaler's
                Assert.Equal(alice, c["meeting"]!["user_id"]!.GetValue<long>());
                Assert.Equal(c["status_change"]!["to"]!.GetValue<string>(), c["meeting"]!["status"]!.GetValue<string>());
                Assert.Equal(["from", "to", "reason", "timestamp", "transition_source"], c["status_change"]!.AsObject().Select(p => p.Key));
            });
            // The completion comes once, after the change that ended the meeting.
            var completion = Assert.Single(received, r => IsCompletion(Body(r)));
            Assert.Equal(received.Count - 1, received.IndexOf(completion));
            Assert.Equal("completed", Body(completion)["status"]!.GetValue<string>());
            Assert.Equal(received.Count, received.Select(r => r.WebhookId).Distinct().Count()); // one id per event
            Assert.All(received, VerifyStandard);

            // Bob chose status changes only: the same life, and no completion payload.
            var bobs = changesOnly.Requests.Select(Body).ToList();
            Assert.DoesNotContain(bobs, IsCompletion);
            Assert.Equal(["joining", "awaiting_admission", "active", "stopping", "completed"],
                bobs.Select(c => c["status_change"]!["to"]!.GetValue<string>()));
            Assert.All(bobs, c => Assert.Equal(bobMeeting, c["meeting"]!["id"]!.GetValue<long>()));
        }
        finally
        {
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    [Fact]
    public async Task Every_retry_of_an_event_carries_its_id_and_verifies_with_a_standard_webhooks_library_and_the_log_shows_it()
    {
        await using var hook = await WebhookReceiver.StartAsync(failFirst: 2);
        var user = await fixture.NewUserAsync(webhookUrl: hook.Url, webhookSecret: Secret);
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(user, meetId);
        await fixture.StopAndWaitCompletedAsync(user, meetId, meetingId);
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(hook.Requests.Any(r => r.Accepted)), timeoutMs: 15_000);

        var attempts = hook.Requests.ToList();
        Assert.Equal([false, false, true], attempts.Select(r => r.Accepted));
        Assert.Single(attempts.Select(r => r.WebhookId).Distinct());
        Assert.StartsWith("msg_", attempts[0].WebhookId);
        Assert.All(attempts, VerifyStandard);

        // The log: delivered on the third attempt (the outcome is recorded just after the receiver answers).
        JsonObject? entry = null;
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            var log = await (await fixture.AsUserAsync(_transcripts, user, HttpMethod.Get, "/user/webhook/deliveries")).JsonAsync();
            entry = log["deliveries"]!.AsArray().Single()!.AsObject();
            return entry["status"]!.GetValue<string>() != WebhookDeliveryStatus.Pending;
        });
        Assert.Equal(WebhookDeliveryStatus.Delivered, entry!["status"]!.GetValue<string>());
        Assert.Equal(WebhookEvents.Completed, entry["event"]!.GetValue<string>());
        Assert.Equal(meetingId, entry["meeting_id"]!.GetValue<long>());
        Assert.Equal(attempts[0].WebhookId, entry["webhook_id"]!.GetValue<string>());
        Assert.Equal(3, entry["attempts"]!.GetValue<int>());
        Assert.Equal(200, entry["last_status_code"]!.GetValue<int>());
        Assert.Null(entry["last_error"]);
        Assert.Null(entry["next_attempt_at"]);
        Assert.NotNull(entry["delivered_at"]);
    }

    [Fact]
    public async Task The_log_shows_a_delivery_waiting_for_its_retry_and_one_given_up_and_nobody_elses()
    {
        await using var failing = await WebhookReceiver.StartAsync(failFirst: int.MaxValue);
        var retrying = await fixture.NewUserAsync(webhookUrl: failing.Url);
        var broken = await fixture.NewUserAsync(webhookUrl: "mailto:hooks@example.com"); // as an old row might hold
        var other = await fixture.NewUserAsync(webhookUrl: failing.Url);
        foreach (var user in new[] { retrying, broken, other })
        {
            var meetId = RetailerFixture.NewMeetId();
            await fixture.StopAndWaitCompletedAsync(user, meetId, await fixture.StartBotAsync(user, meetId));
        }

        async Task<JsonObject> OnlyEntryAsync(long user, Func<JsonObject, bool> until)
        {
            JsonObject? entry = null;
            await RetailerFixture.WaitUntilAsync(async () =>
            {
                var log = await (await fixture.AsUserAsync(_transcripts, user, HttpMethod.Get, "/user/webhook/deliveries?limit=5")).JsonAsync();
                entry = log["deliveries"]!.AsArray().Single()!.AsObject();
                return until(entry);
            });
            return entry!;
        }

        var waiting = await OnlyEntryAsync(retrying, e => e["attempts"]!.GetValue<int>() >= 1);
        Assert.Equal(WebhookDeliveryStatus.Pending, waiting["status"]!.GetValue<string>());
        Assert.Equal(500, waiting["last_status_code"]!.GetValue<int>());
        Assert.Equal("HTTP 500", waiting["last_error"]!.GetValue<string>());
        Assert.NotNull(waiting["next_attempt_at"]);
        Assert.Null(waiting["delivered_at"]);

        var givenUp = await OnlyEntryAsync(broken, e => e["status"]!.GetValue<string>() != WebhookDeliveryStatus.Pending);
        Assert.Equal(WebhookDeliveryStatus.Failed, givenUp["status"]!.GetValue<string>());
        Assert.Equal(1, givenUp["attempts"]!.GetValue<int>()); // an unusable URL is not retried
        Assert.StartsWith("unusable webhook URL", givenUp["last_error"]!.GetValue<string>());
        Assert.Null(givenUp["next_attempt_at"]);

        var bad = await fixture.AsUserAsync(_transcripts, retrying, HttpMethod.Get, "/user/webhook/deliveries?limit=0");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
    }

    [Fact]
    public async Task A_test_event_is_sent_at_once_signed_and_its_outcome_answered()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var user = await fixture.NewUserAsync(webhookUrl: hook.Url, webhookSecret: Secret);

        var answer = await fixture.AsUserAsync(_transcripts, user, HttpMethod.Post, "/user/webhook/test");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var outcome = await answer.JsonAsync();
        Assert.True(outcome["delivered"]!.GetValue<bool>());
        Assert.Equal(200, outcome["status_code"]!.GetValue<int>());
        var received = Assert.Single(hook.Requests);
        Assert.Equal(outcome["webhook_id"]!.GetValue<string>(), received.WebhookId);
        Assert.Equal(WebhookEvents.Test, Body(received)["event_type"]!.GetValue<string>());
        Assert.Equal(user, Body(received)["user_id"]!.GetValue<long>());
        VerifyStandard(received);

        // A second test at once is refused: a test is a request to a URL of the user's choosing, not a relay.
        var again = await fixture.AsUserAsync(_transcripts, user, HttpMethod.Post, "/user/webhook/test");
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.InRange(again.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 10);
        Assert.StartsWith("A test webhook was sent moments ago. Retry after", await again.DetailAsync());
        Assert.Single(hook.Requests);

        // What a failure says is a class: not the address and port tried, nor "refused" apart from "name not known".
        var failing = await fixture.NewUserAsync(webhookUrl: "http://127.0.0.1:9/nothing-listens");
        var refused = await (await fixture.AsUserAsync(_transcripts, failing, HttpMethod.Post, "/user/webhook/test")).JsonAsync();
        Assert.False(refused["delivered"]!.GetValue<bool>());
        Assert.Equal("could not connect to the webhook URL", refused["error"]!.GetValue<string>());
        var unknownName = await fixture.NewUserAsync(webhookUrl: "http://no-such-host.invalid/hook");
        var unresolved = await (await fixture.AsUserAsync(_transcripts, unknownName, HttpMethod.Post, "/user/webhook/test")).JsonAsync();
        Assert.Equal("could not connect to the webhook URL", unresolved["error"]!.GetValue<string>());

        var withoutUrl = await fixture.NewUserAsync();
        var noUrl = await fixture.AsUserAsync(_transcripts, withoutUrl, HttpMethod.Post, "/user/webhook/test");
        Assert.Equal(HttpStatusCode.BadRequest, noUrl.StatusCode);
        Assert.Contains("PUT /user/webhook", (await noUrl.JsonAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redirect_is_the_receivers_answer_and_is_never_followed()
    {
        var followed = 0;
        var (app, address) = await Loopback.StartAsync(app =>
        {
            app.MapPost("/hook", (HttpContext context) => Results.Redirect("/elsewhere", permanent: false, preserveMethod: true));
            app.MapPost("/elsewhere", () => { Interlocked.Increment(ref followed); return Results.Ok(); });
        });
        await using (app)
        {
            var user = await fixture.NewUserAsync(webhookUrl: address + "/hook");
            var outcome = await (await fixture.AsUserAsync(_transcripts, user, HttpMethod.Post, "/user/webhook/test")).JsonAsync();
            Assert.False(outcome["delivered"]!.GetValue<bool>());
            Assert.Equal(307, outcome["status_code"]!.GetValue<int>());
            Assert.Equal("HTTP 307", outcome["error"]!.GetValue<string>());
            Assert.Equal(0, followed);
        }
    }
}
