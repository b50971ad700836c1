using System.Net;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

public sealed class RateLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task The_limit_holds_across_two_gateway_replicas_sharing_redis()
    {
        var limited = new Dictionary<string, string?> { ["RateLimit:PermitLimit"] = "5", ["RateLimit:Window"] = "00:05:00" };
        await using var first = fixture.NewGateway(limited);
        await using var second = fixture.NewGateway(limited);
        var clients = new[] { first.CreateClient(), second.CreateClient() };
        var key = await fixture.NewUserKeyAsync();

        var responses = new List<HttpResponseMessage>();
        await RateLimitWindow.WaitForRoomAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 12; i++)
        {
            responses.Add(await clients[i % 2].SendAsync(HttpMethod.Get, "/meetings", key));
        }

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var rejected = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(7, rejected.Count);
        foreach (var response in rejected)
        {
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single()) is > 0 and <= 300);
            Assert.StartsWith("Rate limit exceeded", await response.DetailAsync());
        }

        // Another key has its own budget.
        var otherKey = await fixture.NewUserKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await clients[0].SendAsync(HttpMethod.Get, "/meetings", otherKey)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_requests_of_one_key_are_each_counted_once()
    {
        // Requests of one key that arrive while its round trip to Redis is on its way go together in the next one
        // (EdgeLookup): the batch must count every one of them, no more and no less.
        var limited = new Dictionary<string, string?> { ["RateLimit:PermitLimit"] = "7", ["RateLimit:Window"] = "00:05:00" };
        await using var gateway = fixture.NewGateway(limited);
        var client = gateway.CreateClient();
        var key = await fixture.NewUserKeyAsync();

        await RateLimitWindow.WaitForRoomAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.SendAsync(HttpMethod.Get, "/meetings", key)));

        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(33, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
    }
}
