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
}
