using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Caching;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// The gateway answers a plain transcript read from <see cref="TranscriptRouteCache"/> when the caller's entry is
/// there; everything else still goes to Transcripts (here the echo backend, whose answers name the path).
/// </summary>
public sealed class GatewayTranscriptCacheTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _gateway = fixture.Gateway.CreateClient();
    private readonly IDatabase _redis = fixture.Gateway.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    [Fact]
    public async Task The_owner_gets_the_cached_bytes_and_every_other_read_reaches_transcripts()
    {
        var (owner, ownerKey) = await NewUserAsync();
        var (_, otherKey) = await NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var body = """{"id":7,"platform":"google_meet","status":"completed","segments":[]}"""u8.ToArray();
        await CacheAsync(owner, "google_meet", meetId, body);
        var path = $"/transcripts/google_meet/{meetId}";

        for (var i = 0; i < 2; i++) // the first from Redis, the second from the gateway's memory
        {
            var cached = await _gateway.SendAsync(HttpMethod.Get, path, ownerKey);
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
            Assert.Equal("application/json", cached.Content.Headers.ContentType!.ToString());
            Assert.Equal(body, await cached.Content.ReadAsByteArrayAsync());
        }

        // Another user, a query, another meeting, another method, a trailing segment: all proxied.
        foreach (var (key, method, target) in new[]
        {
            (otherKey, HttpMethod.Get, path),
            (ownerKey, HttpMethod.Get, path + "?meeting_id=7"),
            (ownerKey, HttpMethod.Get, $"/transcripts/google_meet/{RetailerFixture.NewMeetId()}"),
            (ownerKey, HttpMethod.Post, path),
            (ownerKey, HttpMethod.Get, path + "/extra"),
        })
        {
            await AssertProxiedAsync(await _gateway.SendAsync(method, target, key), target);
        }

        // Invalidated (the route's tag is gone): the bytes still in the gateway's memory are not served any more.
        await _redis.KeyDeleteAsync(TranscriptRouteCache.Key(owner, "google_meet", meetId));
        await AssertProxiedAsync(await _gateway.SendAsync(HttpMethod.Get, path, ownerKey), path);
    }

    [Fact]
    public async Task A_tag_whose_bytes_expired_is_proxied()
    {
        var (owner, ownerKey) = await NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var tag = await CacheAsync(owner, "teams", meetId, "{\"n\":1}"u8.ToArray());
        await _redis.KeyDeleteAsync(RedisKeys.TranscriptBody(tag));

        var path = $"/transcripts/teams/{meetId}";
        await AssertProxiedAsync(await _gateway.SendAsync(HttpMethod.Get, path, ownerKey), path);
    }

    [Fact]
    public async Task Cached_reads_are_authenticated_and_rate_limited_like_any_other()
    {
        var (owner, ownerKey) = await NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        await CacheAsync(owner, "zoom", meetId, "{}"u8.ToArray());
        var path = $"/transcripts/zoom/{meetId}";

        Assert.Equal(HttpStatusCode.Forbidden, (await _gateway.SendAsync(HttpMethod.Get, path, "not-a-key-" + Guid.NewGuid())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _gateway.SendAsync(HttpMethod.Get, path)).StatusCode);

        await using var limitedGateway = fixture.NewGateway(new() { ["RateLimit:PermitLimit"] = "2", ["RateLimit:Window"] = "00:05:00" });
        var limited = limitedGateway.CreateClient();
        var statuses = new List<HttpStatusCode>();
        await RateLimitWindow.WaitForRoomAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await limited.SendAsync(HttpMethod.Get, path, ownerKey)).StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_deleted_key_is_refused_although_its_users_transcript_is_cached()
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var (tokenId, key) = await fixture.Admin.CreateTokenAsync(userId);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        var meetId = RetailerFixture.NewMeetId();
        var body = "{\"id\":9}"u8.ToArray();
        await CacheAsync(userId, "google_meet", meetId, body);
        var path = $"/transcripts/google_meet/{meetId}";
        Assert.Equal(body, await (await _gateway.SendAsync(HttpMethod.Get, path, key)).Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.SendAsync(HttpMethod.Delete, $"/admin/tokens/{tokenId}")).StatusCode);

        var after = await _gateway.SendAsync(HttpMethod.Get, path, key);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Equal("Invalid API token", await after.DetailAsync());
    }

    /// <summary>What Transcripts leaves for a final meeting, through the same cache: the route's tag and its bytes.</summary>
    private async Task<string> CacheAsync(long userId, string platform, string meetId, byte[] body)
    {
        var routes = fixture.Gateway.Services.GetRequiredService<TranscriptRouteCache>();
        var generation = await routes.ReadGenerationAsync(userId, platform, meetId);
        Assert.True(await routes.StoreAsync(generation!, body));
        return TranscriptRouteCache.Tag(body);
    }

    private static async Task AssertProxiedAsync(HttpResponseMessage response, string target)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(target.Split('?')[0], (await response.JsonAsync())["path"]!.GetValue<string>());
    }

    /// <summary>A user with a key whose lookup is already cached (the first use of a key fills the cache).</summary>
    private async Task<(long, string)> NewUserAsync()
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var (_, key) = await fixture.Admin.CreateTokenAsync(userId);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        return (userId, key);
    }
}
