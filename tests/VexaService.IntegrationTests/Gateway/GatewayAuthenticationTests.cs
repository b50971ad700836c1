using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Http;
using VexaService.Keys;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>Section 2 of the contract: the gateway's answers to missing, invalid and valid keys, per route family.</summary>
public sealed class GatewayAuthenticationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _gateway = fixture.Gateway.CreateClient();

    [Theory]
    [InlineData("GET", "/bots/status", 403, "Missing API token (X-API-Key header)")]
    [InlineData("POST", "/bots", 403, "Missing API token (X-API-Key header)")]
    [InlineData("DELETE", "/bots/google_meet/abc-defg-hij", 403, "Missing API token (X-API-Key header)")]
    [InlineData("GET", "/meetings", 403, "Missing API token")]
    [InlineData("GET", "/transcripts/zoom/1234567890", 403, "Missing API token")]
    [InlineData("PUT", "/user/webhook", 401, "Missing API Key")]
    public async Task A_missing_key_gets_vexas_status_and_detail(string method, string path, int status, string detail)
    {
        var response = await _gateway.SendAsync(new HttpMethod(method), path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(detail, await response.DetailAsync());
    }

    [Theory]
    [InlineData("/bots/status", "Invalid API token")]
    [InlineData("/meetings", "Invalid API token")]
    [InlineData("/user/webhook", "Invalid API Key")]
    public async Task An_unknown_key_is_forbidden(string path, string detail)
    {
        var method = path == "/user/webhook" ? HttpMethod.Put : HttpMethod.Get;
        var response = await _gateway.SendAsync(method, path, apiKey: "not-a-real-key-" + Guid.NewGuid());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(detail, await response.DetailAsync());
    }

    [Fact]
    public async Task An_invalid_platform_gets_422_before_authentication()
    {
        var response = await _gateway.SendAsync(HttpMethod.Get, "/transcripts/skype/abc-defg-hij");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal("value is not a valid enumeration member; permitted: 'google_meet', 'zoom', 'teams'", issue["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_valid_key_is_forwarded_as_a_signed_identity_and_never_as_the_key()
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var (_, key) = await fixture.Admin.CreateTokenAsync(userId);

        // A forged identity header from the client must be replaced, not passed on.
        var response = await _gateway.SendAsync(HttpMethod.Get, "/meetings?skip=1&limit=2", key,
            headers: new Dictionary<string, string> { [CallerToken.HeaderName] = "v1.1.99999999999999.forged" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.JsonAsync();
        Assert.Equal("/meetings", echoed["path"]!.GetValue<string>());
        Assert.Equal("?skip=1&limit=2", echoed["query"]!.GetValue<string>()); // query strings are forwarded
        Assert.Equal("", echoed["api_key"]!.GetValue<string>());
        var signer = fixture.Gateway.Services.GetRequiredService<CallerToken>();
        Assert.True(signer.TryVerify(echoed["caller"]!.GetValue<string>(), out var forwardedUser));
        Assert.Equal(userId, forwardedUser);
    }

    [Fact]
    public async Task Deleting_a_token_takes_effect_at_once()
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var (tokenId, key) = await fixture.Admin.CreateTokenAsync(userId);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode); // now cached

        var deleted = await fixture.Admin.SendAsync(HttpMethod.Delete, $"/admin/tokens/{tokenId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var after = await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Equal("Invalid API token", await after.DetailAsync());
    }

    [Fact]
    public async Task A_token_deleted_while_redis_cannot_be_told_is_refused_within_five_seconds()
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var (tokenId, key) = await fixture.Admin.CreateTokenAsync(userId);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode); // now cached

        // Deleted in PostgreSQL with no word to Redis: what AdminApi leaves when Redis is out of its reach.
        await using (var db = TestEnvironment.NewDbContext())
        {
            Assert.Equal(1, await db.ApiTokens.Where(t => t.Id == tokenId).ExecuteDeleteAsync(TestContext.Current.CancellationToken));
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage after;
        do
        {
            await Task.Delay(200); // within the key's rate limit
            after = await _gateway.SendAsync(HttpMethod.Get, "/bots/status", key);
        }
        while (after.StatusCode == HttpStatusCode.OK && watch.Elapsed < TimeSpan.FromSeconds(15));
        TestContext.Current.SendDiagnosticMessage($"refused {watch.Elapsed.TotalSeconds:F1} s after the deletion");
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"refused only after {watch.Elapsed.TotalSeconds:F1} s");
    }

    private sealed class NextToken(string token) : ApiTokenGenerator
    {
        public override string NewToken() => token;
    }

    [Fact]
    public async Task A_key_refused_while_unknown_works_as_soon_as_a_token_is_created_for_it()
    {
        var key = new ApiTokenGenerator().NewToken();
        var refused = await _gateway.SendAsync(HttpMethod.Get, "/meetings", key);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // and remembered as unknown (Auth:NegativeCacheLifetime, 10 s)

        await using var adminApi = fixture.AdminApi.WithWebHostBuilder(web =>
            web.ConfigureTestServices(services => services.AddSingleton<ApiTokenGenerator>(new NextToken(key))));
        var admin = new AdminClient(adminApi.CreateClient());
        var (_, created) = await admin.CreateTokenAsync(await admin.CreateUserAsync());
        Assert.Equal(key, created);

        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
    }

    [Fact]
    public async Task With_redis_down_the_gateway_still_authenticates_from_postgres()
    {
        await using var gateway = fixture.NewGateway(new()
        {
            // Nothing listens on port 1: every Redis call fails at once.
            ["ConnectionStrings:cache"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200",
        });
        var client = gateway.CreateClient();
        var key = await fixture.NewUserKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, "/meetings", "wrong-" + key)).StatusCode);
    }
}
