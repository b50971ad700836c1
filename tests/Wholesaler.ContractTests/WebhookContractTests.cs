using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>Contract 4.9 and 8: setting the webhook URL and the completion webhook.</summary>
public sealed class WebhookContractTests(WholesalerTarget target) : WholesalerTestBase(target)
{
    [Theory]
    [InlineData("http://localhost:8000/x", "URL host invalid, top level domain required", "value_error.url.host")]
    [InlineData("http://receiver:8080/x", "URL host invalid, top level domain required", "value_error.url.host")]
    [InlineData("ftp://example.com/x", "URL scheme not permitted", "value_error.url.scheme")]
    [InlineData("example.com/hook", "invalid or missing URL scheme", "value_error.url.scheme")]
    public async Task Webhook_url_must_be_http_with_a_top_level_domain(string url, string msg, string type)
    {
        var response = await SendAsync(HttpMethod.Put, "/user/webhook", new JsonObject { ["webhook_url"] = url }.ToJsonString());

        Contract.IsValidationError(response, ["body", "webhook_url"], msg, type);
    }

    [Fact]
    public async Task Webhook_body_without_url_is_422()
    {
        var response = await SendAsync(HttpMethod.Put, "/user/webhook", """{"url":"https://example.com"}""");

        Contract.IsValidationError(response, ["body", "webhook_url"], "field required", "value_error.missing");
    }

    [Fact]
    public async Task Completion_webhook_posts_the_meeting_once_the_stopped_bot_has_left()
    {
        var publicBase = WholesalerTarget.Setting(WholesalerTarget.WebhookBaseVariable);
        Assert.SkipWhen(!Target.IsEmulator && publicBase is null,
            $"A real Vexa can't reach a receiver on this machine: set {WholesalerTarget.WebhookBaseVariable} to a public URL " +
            $"forwarded to 127.0.0.1:{WholesalerTarget.WebhookPortVariable} (default 8099).");
        var port = Target.IsEmulator ? 0
            : int.Parse(WholesalerTarget.Setting(WholesalerTarget.WebhookPortVariable) ?? "8099", CultureInfo.InvariantCulture);
        await using var receiver = await WebhookReceiver.StartAsync(port);
        var hookUrl = $"{(Target.IsEmulator ? receiver.Address : publicBase!.TrimEnd('/'))}/hook/{Guid.NewGuid():N}";

        var registered = await SendAsync(HttpMethod.Put, "/user/webhook", new JsonObject { ["webhook_url"] = hookUrl }.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, registered.Status);
        Contract.HasExactKeys(registered.Object, "email", "name", "image_url", "max_concurrent_bots", "data", "id", "created_at");
        Assert.Equal(hookUrl, registered.Json["data"]!["webhook_url"]!.GetValue<string>());

        var nativeId = Contract.GoogleMeetId();
        var meeting = await StartBotAsync("google_meet", nativeId);
        var meetingId = meeting["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Accepted, (await StopBotAsync("google_meet", nativeId)).Status);

        var (contentType, payload) = await receiver.WaitForMeetingAsync(meetingId, Target.PatienceFor);

        Assert.Equal("application/json", contentType?.Split(';')[0]);
        Contract.IsMeetingResponse(payload);
        Assert.Equal("completed", payload["status"]!.GetValue<string>());
        Assert.Equal(nativeId, payload["native_meeting_id"]!.GetValue<string>());
        Assert.Equal(meeting["bot_container_id"]!.GetValue<string>(), payload["bot_container_id"]!.GetValue<string>());
        Assert.Matches(Contract.NaiveIso(), payload["end_time"]!.GetValue<string>());
        Assert.Equal(meeting["user_id"]!.GetValue<long>(), payload["user_id"]!.GetValue<long>());
    }
}
