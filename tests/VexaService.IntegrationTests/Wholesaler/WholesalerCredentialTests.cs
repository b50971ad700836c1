using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Wholesaler;

namespace VexaService.IntegrationTests.Wholesaler;

/// <summary>The one Wholesaler client's credentials: the system key always, plus an OAuth2 bearer token when configured.</summary>
public sealed class WholesalerCredentialTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private string _address = "";
    private int _tokenRequests;
    private readonly ConcurrentQueue<(string? ApiKey, string? Authorization)> _seen = new();
    private readonly ConcurrentQueue<string> _tokenForms = new();

    public async ValueTask InitializeAsync()
    {
        (_server, _address) = await Loopback.StartAsync(MapEndpoints);
    }

    private void MapEndpoints(WebApplication server)
    {
        // A token endpoint (client credentials) and a Wholesaler that records the credentials it receives.
        server.MapPost("/oauth/token", async (HttpRequest request) =>
        {
            _tokenForms.Enqueue(await new StreamReader(request.Body).ReadToEndAsync());
            var n = Interlocked.Increment(ref _tokenRequests);
            return Results.Json(new Dictionary<string, object> { ["access_token"] = $"token-{n}", ["token_type"] = "Bearer", ["expires_in"] = 300 });
        });
        server.MapGet("/bots/status", (HttpRequest request) =>
        {
            _seen.Enqueue((request.Headers["X-API-Key"].FirstOrDefault(), request.Headers.Authorization.FirstOrDefault()));
            return Results.Json(new { running_bots = Array.Empty<object>() });
        });
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private (WholesalerClient Client, ManualTime Time, IServiceProvider Services) NewClient(string authMode)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wholesaler:BaseAddress"] = _address,
            ["Wholesaler:ApiKey"] = "the-system-key",
            ["Wholesaler:AuthMode"] = authMode,
            ["Wholesaler:OAuth2:TokenEndpoint"] = _address + "/oauth/token",
            ["Wholesaler:OAuth2:ClientId"] = "retailer",
            ["Wholesaler:OAuth2:ClientSecret"] = "s3cret",
            ["Wholesaler:OAuth2:RenewBefore"] = "00:01:00",
        });
        var time = new ManualTime();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(_ => StackExchange.Redis.ConnectionMultiplexer.Connect(TestEnvironment.Redis));
        builder.AddWholesalerClient();
        var services = builder.Build().Services;
        return (services.GetRequiredService<WholesalerClient>(), time, services);
    }

    [Fact]
    public async Task Api_key_mode_sends_only_the_system_key()
    {
        var (client, _, _) = NewClient("ApiKey");
        await client.ListRunningBotsAsync(TestContext.Current.CancellationToken);
        var (apiKey, authorization) = Assert.Single(_seen);
        Assert.Equal("the-system-key", apiKey);
        Assert.Null(authorization);
        Assert.Equal(0, _tokenRequests);
    }

    [Fact]
    public async Task OAuth2_mode_adds_a_cached_client_credentials_token_and_renews_it_before_expiry()
    {
        var ct = TestContext.Current.CancellationToken;
        var (client, time, _) = NewClient("OAuth2");

        await client.ListRunningBotsAsync(ct);
        await client.ListRunningBotsAsync(ct);
        Assert.Equal(1, _tokenRequests); // cached
        Assert.Contains("grant_type=client_credentials", _tokenForms.Single());

        time.Advance(TimeSpan.FromSeconds(230)); // 300 s token, renewed 60 s early: still valid at 230 s
        await client.ListRunningBotsAsync(ct);
        Assert.Equal(1, _tokenRequests);

        time.Advance(TimeSpan.FromSeconds(20)); // 250 s: inside the renewal window
        await client.ListRunningBotsAsync(ct);
        Assert.Equal(2, _tokenRequests);

        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-1", "Bearer token-2"], _seen.Select(s => s.Authorization));
        Assert.All(_seen, s => Assert.Equal("the-system-key", s.ApiKey));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}
