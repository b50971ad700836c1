using System.Net;
using StackExchange.Redis;
using VexaService.IntegrationTests.Faults;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Caching;
using VexaService.Keys;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>Redis at its memory limit, as scripts/local-redis.sh and the published container configure it.</summary>
public sealed class FullRedisTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_full_redis_makes_room_for_key_lookups_and_rate_limit_counters()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"vexa-full-redis-{Guid.NewGuid():N}"[..28]);
        await using var redis = new LocalServer("local-redis.sh", directory, Loopback.FreePort(),
            new Dictionary<string, string> { ["REDIS_MAXMEMORY"] = "4mb" });
        await redis.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        var db = connection.GetDatabase();

        // Fill it with cached transcripts, well past the limit.
        var chunk = new string('x', 64 * 1024);
        for (var i = 0; i < 200; i++)
        {
            await db.StringSetAsync($"transcript:v1:{i}", chunk, TimeSpan.FromDays(7));
        }
        var server = connection.GetServer($"127.0.0.1:{redis.Port}");
        Assert.True(server.Keys(pattern: "transcript:v1:*").Count() < 200, "the limit holds: older transcripts were evicted");

        await using var gateway = fixture.NewGateway(new() { ["ConnectionStrings:cache"] = $"127.0.0.1:{redis.Port}" });
        var key = await fixture.NewUserKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await gateway.CreateClient().SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);

        // The lookup was cached and the request counted: room was made by evicting cold transcripts, where a full
        // Redis refusing writes ("OOM command not allowed") would have left both out.
        var hash = ApiKeyHash.Compute(key);
        Assert.True(await db.KeyExistsAsync(RedisKeys.AuthToken(hash)), "key lookup not cached");
        Assert.NotEmpty(server.Keys(pattern: $"ratelimit:{hash}:*"));
    }
}
