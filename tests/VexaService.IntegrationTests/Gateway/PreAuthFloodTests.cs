using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Keys;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// Every unseen key used to cost a PostgreSQL query: random keys from one address could exhaust the pool. The gateway
/// here sits behind a proxy (loopback, configured as known), so <c>X-Forwarded-For</c> names each client.
/// </summary>
public sealed class PreAuthFloodTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Flooder = "198.51.100.7";
    private const string User = "198.51.100.8";

    [Fact]
    public async Task Five_thousand_random_keys_from_one_address_cost_bounded_queries_while_a_valid_user_is_served()
    {
        var queries = new QueryCounter(containing: "FROM api_tokens"); // key lookups, not the revocation poll
        var port = Loopback.FreePort();
        await using var gateway = fixture.NewGateway(new() { ["urls"] = $"http://127.0.0.1:{port}", ["RateLimit:KnownProxies:0"] = "127.0.0.1" })
            .WithWebHostBuilder(web => web.ConfigureServices(services => services.ConfigureDbContext<VexaDbContext>(db => db.AddInterceptors(queries))));
        gateway.UseKestrel();
        gateway.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var validKey = await fixture.NewUserKeyAsync();

        // Keys that cannot be ours never reach Redis or PostgreSQL.
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "not-a-key-" + i, Flooder)).StatusCode);
        }
        Assert.Equal(0, queries.Count);

        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var started = DateTime.UtcNow;
        HttpResponseMessage? refused = null;
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, 5000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            var answer = await SendAsync(http, new ApiTokenGenerator().NewToken(), Flooder);
            statuses.AddOrUpdate(answer.StatusCode, 1, (_, n) => n + 1);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Interlocked.CompareExchange(ref refused, answer, null);
            }
        });
        var served = new List<HttpStatusCode>();
        while (!flood.IsCompleted)
        {
            served.Add((await SendAsync(http, validKey, User)).StatusCode);
            await Task.Delay(20);
        }
        await flood;
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        TestContext.Current.TestOutputHelper?.WriteLine($"flood: 5000 random keys in {seconds:F1} s; {string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}"))}; " +
            $"{queries.Count} PostgreSQL queries; valid user {served.Count(s => s == HttpStatusCode.OK)}/{served.Count} OK");
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests], statuses.Keys.Order());
        // Default budget: a burst of 100 lookups, then 20 per second, per address; the valid user's one lookup besides.
        Assert.InRange(queries.Count, 100, 100 + 20 * (int)Math.Ceiling(seconds) + 1);
        Assert.NotEmpty(served);
        Assert.All(served, s => Assert.Equal(HttpStatusCode.OK, s));

        Assert.True(int.Parse(refused!.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.StartsWith("Too many requests from this client", await refused.DetailAsync());
    }

    [Fact]
    public async Task A_client_that_fails_the_admin_key_ten_times_a_minute_gets_429_before_anything_is_forwarded()
    {
        await using var gateway = fixture.NewGateway();
        var http = gateway.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add((await http.SendAsync(HttpMethod.Get, "/admin/users", headers: new Dictionary<string, string> { ["X-Admin-API-Key"] = "guess" + i })).StatusCode);
        }
        // The echo backend stands in for admin-api: it answers 403 to a wrong admin key as admin-api does.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Forbidden, 10).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), answers);
    }

    /// <summary>
    /// A client that sends its own <c>X-Forwarded-For</c> must not choose the address its limits key on: with no proxy
    /// configured (the default, even with ASPNETCORE_FORWARDEDHEADERS_ENABLED, which trusts every sender), or with a proxy
    /// configured that is not the sender, the header is ignored and one address stays one address.
    /// </summary>
    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("203.0.113.10", false)]
    [InlineData("203.0.113.0/24", true)]
    public async Task A_forged_x_forwarded_for_does_not_escape_the_limits_before_authentication(string? knownProxy, bool forwardedHeadersEnabled)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{Loopback.FreePort()}",
            ["RateLimit:ClientLookupBurst"] = "10",
            ["RateLimit:ClientLookupsPerSecond"] = "1",
        };
        if (knownProxy is not null)
        {
            settings["RateLimit:KnownProxies:0"] = knownProxy;
        }
        if (forwardedHeadersEnabled)
        {
            settings["FORWARDEDHEADERS_ENABLED"] = "true"; // what ASPNETCORE_FORWARDEDHEADERS_ENABLED=true sets
        }
        await using var gateway = fixture.NewGateway(settings);
        gateway.UseKestrel();
        gateway.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri(settings["urls"]!) };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lookups = new List<HttpStatusCode>();
        for (var i = 0; i < 400; i++)
        {
            lookups.Add((await SendAsync(http, new ApiTokenGenerator().NewToken(), $"198.51.{i / 250}.{i % 250 + 1}")).StatusCode);
        }
        var allowed = 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1;
        var admin = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            admin.Add((await http.SendAsync(HttpMethod.Get, "/admin/users", headers: new Dictionary<string, string>
            {
                ["X-Admin-API-Key"] = "guess" + i, ["X-Forwarded-For"] = $"192.0.2.{i + 1}",
            })).StatusCode);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"400 random keys, each from a forged address: {lookups.Count(s => s == HttpStatusCode.TooManyRequests)} × 429 " +
            $"in {clock.Elapsed.TotalSeconds:F1} s; 30 wrong admin keys: {admin.Count(s => s == HttpStatusCode.TooManyRequests)} × 429");
        Assert.All(lookups, s => Assert.Contains(s, new[] { HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests }));
        Assert.InRange(lookups.Count(s => s == HttpStatusCode.Forbidden), 1, allowed);
        Assert.All(admin, s => Assert.Contains(s, new[] { HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests }));
        Assert.True(admin.Count(s => s == HttpStatusCode.TooManyRequests) >= 10, string.Join(",", admin.Select(s => (int)s)));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string key, string client) =>
        http.SendAsync(HttpMethod.Get, "/meetings", key, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = client });
}
