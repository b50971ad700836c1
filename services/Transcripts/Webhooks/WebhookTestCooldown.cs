using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// One <c>POST /user/webhook/test</c> per user per <see cref="WebhookOptions.TestCooldown"/>, across replicas (a Redis
/// key that expires). Without Redis a test goes through: the gateway's per-key rate limit still bounds it.
/// </summary>
public sealed class WebhookTestCooldown(IConnectionMultiplexer redis, IOptions<WebhookOptions> options, ILogger<WebhookTestCooldown> logger)
{
    /// <summary>Null when the user may send a test now (and the cooldown starts), else how long until they may.</summary>
    public async Task<TimeSpan?> TryStartAsync(long userId)
    {
        var cooldown = options.Value.TestCooldown;
        if (cooldown <= TimeSpan.Zero)
        {
            return null;
        }
        var started = await redis.TryAsync<bool?>(async db => await db.StringSetAsync(RedisKeys.WebhookTestCooldown(userId), 1, cooldown, When.NotExists), logger,
            "Webhook test cooldown unavailable; sending");
        if (started is null or true)
        {
            return null;
        }
        var left = await redis.TryAsync(db => db.KeyTimeToLiveAsync(RedisKeys.WebhookTestCooldown(userId)), logger, "Webhook test cooldown unavailable");
        return left is { } wait && wait > TimeSpan.Zero ? wait : cooldown;
    }
}
