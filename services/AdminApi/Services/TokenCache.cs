using StackExchange.Redis;
using VexaService.Caching;

namespace VexaService.AdminApi.Services;

/// <summary>
/// Drops the gateway's cached lookup of a token hash, so that deleting a token takes effect at once and a new
/// token is not shadowed by a cached "unknown". A second drop shortly after covers a gateway that read the row
/// just before the change and cached it just after.
/// </summary>
public sealed class TokenCache(IConnectionMultiplexer redis, ILogger<TokenCache> logger)
{
    private static readonly TimeSpan SecondDrop = TimeSpan.FromSeconds(2);

    public async Task DropAsync(string tokenHash)
    {
        await DropOnceAsync(tokenHash);
        _ = Task.Delay(SecondDrop).ContinueWith(_ => DropOnceAsync(tokenHash), TaskScheduler.Default);
    }

    // The gateway falls back to PostgreSQL while Redis is down; entries expire within the cache lifetime.
    private Task<bool> DropOnceAsync(string tokenHash) =>
        redis.TryAsync(db => db.KeyDeleteAsync(RedisKeys.AuthToken(tokenHash)), logger, "Could not drop a cached token lookup from Redis");
}
