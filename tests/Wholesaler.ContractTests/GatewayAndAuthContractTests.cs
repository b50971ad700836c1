using System.Net;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>Contract sections 1-3: gateway root, routing errors, auth per route family, invalid platforms, check order.</summary>
public sealed class GatewayAndAuthContractTests(WholesalerTarget target) : WholesalerTestBase(target)
{
    [Fact]
    public async Task Root_answers_the_gateway_welcome_without_a_key()
    {
        var response = await SendAsync(HttpMethod.Get, "/", noKey: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Contract.HasExactKeys(response.Object, "message");
        Assert.Equal("Welcome to the Vexa API Gateway", response.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_path_is_404_Not_Found()
    {
        var response = await GetAsync("/no-such-route");

        Contract.IsError(response, HttpStatusCode.NotFound, "Not Found");
    }

    [Fact]
    public async Task Wrong_method_is_405_Method_Not_Allowed()
    {
        var response = await SendAsync(HttpMethod.Post, "/meetings", "{}");

        Contract.IsError(response, HttpStatusCode.MethodNotAllowed, "Method Not Allowed");
    }

    public static TheoryData<string, string, string?, int, string, string> ProtectedRoutes => new()
    {
        // method, path, body, status when missing, detail when missing, detail when invalid (always 403)
        { "POST", "/bots", """{"platform":"google_meet","native_meeting_id":"abc-defg-hij"}""", 403, "Missing API token (X-API-Key header)", "Invalid API token" },
        { "GET", "/bots/status", null, 403, "Missing API token (X-API-Key header)", "Invalid API token" },
        { "DELETE", "/bots/google_meet/abc-defg-hij", null, 403, "Missing API token (X-API-Key header)", "Invalid API token" },
        { "PUT", "/bots/zoom/1234567890/config", """{"language":"en"}""", 403, "Missing API token (X-API-Key header)", "Invalid API token" },
        { "GET", "/meetings", null, 403, "Missing API token", "Invalid API token" },
        { "GET", "/transcripts/google_meet/abc-defg-hij", null, 403, "Missing API token", "Invalid API token" },
        { "PATCH", "/meetings/teams/123456789012", """{"data":{"name":"x"}}""", 403, "Missing API token", "Invalid API token" },
        { "DELETE", "/meetings/google_meet/abc-defg-hij", null, 403, "Missing API token", "Invalid API token" },
        { "PUT", "/user/webhook", """{"webhook_url":"https://example.com/hook"}""", 401, "Missing API Key", "Invalid API Key" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Missing_key_is_rejected_with_the_route_familys_text(string method, string path, string? body,
        int missingStatus, string missingDetail, string invalidDetail)
    {
        _ = invalidDetail;
        var response = await SendAsync(new HttpMethod(method), path, body, noKey: true);

        Contract.IsError(response, (HttpStatusCode)missingStatus, missingDetail);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Invalid_key_is_403_with_the_route_familys_text(string method, string path, string? body,
        int missingStatus, string missingDetail, string invalidDetail)
    {
        _ = (missingStatus, missingDetail);
        var response = await SendAsync(new HttpMethod(method), path, body, apiKey: "not-a-valid-key-" + Guid.NewGuid().ToString("N"));

        Contract.IsError(response, HttpStatusCode.Forbidden, invalidDetail);
    }

    [Theory]
    [InlineData("DELETE", "/bots/skype/abc-defg-hij", null)]
    [InlineData("PUT", "/bots/webex/abc-defg-hij/config", """{"language":"en"}""")]
    [InlineData("GET", "/transcripts/Google_Meet/abc-defg-hij", null)]
    [InlineData("PATCH", "/meetings/skype/abc-defg-hij", """{"data":{"name":"x"}}""")]
    [InlineData("DELETE", "/meetings/meet/abc-defg-hij", null)]
    public async Task Invalid_platform_in_the_path_is_422_even_without_a_key(string method, string path, string? body)
    {
        var response = await SendAsync(new HttpMethod(method), path, body, noKey: true);

        Contract.IsValidationError(response, ["path", "platform"], Contract.InvalidPlatformMessage, "type_error.enum");
    }

    [Fact]
    public async Task Bad_key_with_a_bad_body_is_403_not_422()
    {
        var response = await SendAsync(HttpMethod.Post, "/bots", """{"platform":"skype"}""", apiKey: "wrong-key");

        Contract.IsError(response, HttpStatusCode.Forbidden, "Invalid API token");
    }

    [Fact]
    public async Task Json_syntax_error_is_422_before_the_key_is_checked()
    {
        var response = await SendAsync(HttpMethod.Post, "/bots", "{not json", apiKey: "wrong-key");

        var error = Contract.IsValidationError(response, ["body", "1"], null, "value_error.jsondecode");
        Assert.StartsWith("Expecting", error["msg"]!.GetValue<string>());
    }
}
