using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Testing;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// Keys with names, scopes, an expiry and a last use (issue 18): created and listed through AdminApi, enforced by the
/// gateway on every route family, in front of an echo backend.
/// </summary>
public sealed class ApiKeyScopeTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _gateway = fixture.Gateway.CreateClient();

    private async Task<(long UserId, JsonObject Token)> NewKeyAsync(object? body)
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var response = await fixture.Admin.SendAsync(HttpMethod.Post, $"/admin/users/{userId}/tokens", body is null ? null : JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (userId, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    /// <summary>One request of each route family and method; the echo backend answers 200 to whatever gets through.</summary>
    public static TheoryData<string, string, string?> Routes => new()
    {
        { "GET", "/bots/status", "bots" },
        { "POST", "/bots", "bots" },
        { "PUT", "/bots/google_meet/abc-defg-hij/config", "bots" },
        { "DELETE", "/bots/google_meet/abc-defg-hij", "bots" },
        { "GET", "/meetings", "transcripts" },
        { "GET", "/meetings/12", "transcripts" },
        { "PATCH", "/meetings/google_meet/abc-defg-hij", "transcripts" },
        { "DELETE", "/meetings/google_meet/abc-defg-hij", "transcripts" },
        { "GET", "/transcripts/google_meet/abc-defg-hij", "transcripts" },
        { "GET", "/user/usage", null },
        // A webhook URL receives completion payloads: a bots-only key must not redirect them (or read them back).
        { "GET", "/user/webhook", "transcripts" },
        { "PUT", "/user/webhook", "transcripts" },
        { "GET", "/user/webhook/deliveries", "transcripts" },
        { "POST", "/user/webhook/test", "transcripts" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_key_is_let_through_only_where_its_scopes_allow_and_told_which_scope_is_missing(string method, string path, string? needs)
    {
        foreach (var scope in new[] { "bots", "transcripts" })
        {
            var (_, token) = await NewKeyAsync(new { scopes = new[] { scope } });
            var response = await _gateway.SendAsync(new HttpMethod(method), path, token["token"]!.GetValue<string>(),
                content: method is "GET" or "DELETE" ? null : JsonContent.Create(new { }));
            if (needs is null || needs == scope)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal($"This API key does not have the '{needs}' scope (its scopes: {scope}).", await response.DetailAsync());
            }
        }
    }

    [Fact]
    public async Task Live_transcripts_need_the_transcripts_scope()
    {
        async Task<LiveClient> ConnectAsync(string key)
        {
            var client = fixture.Gateway.Server.CreateWebSocketClient();
            client.ConfigureRequest = request => request.Headers["X-API-Key"] = key;
            return new LiveClient(await client.ConnectAsync(new Uri(fixture.Gateway.Server.BaseAddress, "ws"), TestContext.Current.CancellationToken));
        }
        var (_, botsOnly) = await NewKeyAsync(new { scopes = new[] { "bots" } });
        await using (var refused = await ConnectAsync(botsOnly["token"]!.GetValue<string>()))
        {
            Assert.Equal("missing_scope", (await refused.NextAsync())!["error"]!.GetValue<string>());
            Assert.Equal((WebSocketCloseStatus)4403, await refused.ClosedAsync());
        }
        var (_, both) = await NewKeyAsync(null);
        await using var accepted = await ConnectAsync(both["token"]!.GetValue<string>());
        await accepted.SendAsync("""{"action":"ping"}""");
        Assert.Equal("pong", (await accepted.NextAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Http_and_ws_give_a_key_the_same_verdict_from_the_one_key_check()
    {
        // A limit of three requests a minute per key, on a gateway of its own.
        await using var gateway = fixture.NewGateway(new() { ["RateLimit:PermitLimit"] = "3", ["RateLimit:Window"] = "00:01:00" });
        var http = gateway.CreateClient();
        async Task<LiveClient> ConnectAsync(string key)
        {
            var client = gateway.Server.CreateWebSocketClient();
            client.ConfigureRequest = request => request.Headers["X-API-Key"] = key;
            return new LiveClient(await client.ConnectAsync(new Uri(gateway.Server.BaseAddress, "ws"), TestContext.Current.CancellationToken));
        }

        // Over its rate limit: 429 with Retry-After on HTTP, too_many_requests and 4429 on /ws.
        var (_, token) = await NewKeyAsync(null);
        var key = token["token"]!.GetValue<string>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        }
        var limited = await http.SendAsync(HttpMethod.Get, "/meetings", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        await using (var socket = await ConnectAsync(key))
        {
            Assert.Equal("too_many_requests", (await socket.NextAsync())!["error"]!.GetValue<string>());
            Assert.Equal((WebSocketCloseStatus)4429, await socket.ClosedAsync());
        }

        // Deleted: 403 "Invalid API token" on HTTP, invalid_api_key and 4401 on /ws.
        var (_, deleted) = await NewKeyAsync(null);
        var deletedKey = deleted["token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/meetings", deletedKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent,
            (await fixture.Admin.SendAsync(HttpMethod.Delete, $"/admin/tokens/{deleted["id"]!.GetValue<long>()}")).StatusCode);
        var refused = await http.SendAsync(HttpMethod.Get, "/meetings", deletedKey);
        Assert.Equal((HttpStatusCode.Forbidden, "Invalid API token"), (refused.StatusCode, await refused.DetailAsync()));
        await using (var socket = await ConnectAsync(deletedKey))
        {
            Assert.Equal("invalid_api_key", (await socket.NextAsync())!["error"]!.GetValue<string>());
            Assert.Equal((WebSocketCloseStatus)4401, await socket.ClosedAsync());
        }
    }

    [Fact]
    public async Task An_expired_key_is_refused_like_an_unknown_one_even_while_its_lookup_is_cached()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = fixture.NewGateway().WithWebHostBuilder(web =>
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var http = gateway.CreateClient();
        var (_, token) = await NewKeyAsync(new { name = "ci", expires_in = 120 });
        var key = token["token"]!.GetValue<string>();
        var expiresAt = DateTime.Parse(token["expires_at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(expiresAt - DateTime.UtcNow, TimeSpan.FromSeconds(110), TimeSpan.FromSeconds(121));

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode); // now cached
        clock.SetUtcNow(new DateTimeOffset(expiresAt, TimeSpan.Zero).AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        clock.SetUtcNow(new DateTimeOffset(expiresAt, TimeSpan.Zero));
        var expired = await http.SendAsync(HttpMethod.Get, "/meetings", key);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal("Invalid API token", await expired.DetailAsync());
        var user = await http.SendAsync(HttpMethod.Get, "/user/webhook", key);
        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Equal("Invalid API Key", await user.DetailAsync());
    }

    [Fact]
    public async Task Last_use_is_recorded_at_most_once_a_minute_per_key()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = fixture.NewGateway().WithWebHostBuilder(web =>
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var http = gateway.CreateClient();
        var (_, token) = await NewKeyAsync(null);
        var (tokenId, key) = (token["id"]!.GetValue<long>(), token["token"]!.GetValue<string>());
        Assert.Null(token["last_used_at"]?.GetValue<string>());

        async Task<DateTime?> LastUsedAsync()
        {
            await using var db = TestEnvironment.NewDbContext();
            return await db.ApiTokens.Where(t => t.Id == tokenId).Select(t => t.LastUsedAt).SingleAsync();
        }
        async Task<DateTime?> WaitForChangeAsync(DateTime? from)
        {
            DateTime? seen = from;
            await RetailerFixture.WaitUntilAsync(async () => (seen = await LastUsedAsync()) != from, timeoutMs: 10_000);
            return seen;
        }

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        var first = await WaitForChangeAsync(null);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, first!.Value, TimeSpan.FromMilliseconds(1));

        // More requests within the minute: not one more write.
        clock.Advance(TimeSpan.FromSeconds(59));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode);
        }
        await Task.Delay(1_000); // room for a write that must not come
        Assert.Equal(first, await LastUsedAsync());

        // A minute after the last note, the next use is noted.
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/bots/status", key)).StatusCode);
        var second = await WaitForChangeAsync(first);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, second!.Value, TimeSpan.FromMilliseconds(1));

        // The admin sees it in the key's listing.
        var listed = await fixture.Admin.SendAsync(HttpMethod.Get, $"/admin/users/{token["user_id"]}/tokens");
        var shown = (await listed.Content.ReadFromJsonAsync<JsonArray>())!.Single()!;
        Assert.NotNull(shown["last_used_at"]?.GetValue<string>());
    }
}
