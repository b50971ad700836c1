using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Observability;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Resolves an X-API-Key to what it grants (<see cref="KeyGrant"/>): the Redis entry that <see cref="EdgeLookup"/>
/// read (short-lived, dropped by AdminApi when a token is deleted), PostgreSQL on a miss, which is then cached. When
/// Redis is down, every lookup goes to PostgreSQL: authentication never depends on the cache. An expired key is
/// refused like an unknown one, checked on every request against the expiry the cache holds (so a cached entry never
/// outlives the key). A deleted key is refused within seconds even if Redis could not be told (<see cref="KeyRevocations"/>).
/// </summary>
public sealed class ApiKeyAuthenticator(
    IConnectionMultiplexer redis,
    KeyRevocations revocations,
    IServiceScopeFactory scopes,
    IOptions<AuthOptions> options,
    TimeProvider time,
    VexaMetrics metrics,
    ILogger<ApiKeyAuthenticator> logger)
{
    private const string Unknown = "0";

    /// <param name="hash">The key's <see cref="ApiKeyHash"/>.</param>
    /// <param name="cached">The key's cached lookup as <see cref="EdgeLookup"/> found it.</param>
    /// <returns>Null for a key that is not ours, or no longer.</returns>
    public async Task<KeyGrant?> AuthenticateAsync(string hash, RedisValue cached, CancellationToken ct)
    {
        if (revocations.IsRevoked(hash))
        {
            return null; // deleted, whatever a cache that could not be told says
        }
        if (cached.HasValue && revocations.CacheTrusted && (string?)cached is { } value && (value == Unknown || KeyGrant.FromCache(value) is not null))
        {
            metrics.KeyLookup(cached: true);
            return Valid(KeyGrant.FromCache(value));
        }
        metrics.KeyLookup(cached: false);

        var grant = await LookUpAsync(hash, ct);
        var lifetime = grant is null ? options.Value.NegativeCacheLifetime : options.Value.CacheLifetime;
        await redis.TryAsync(db => db.StringSetAsync(RedisKeys.AuthToken(hash), grant?.ToCache() ?? Unknown, lifetime),
            logger, "Redis unavailable for the auth cache, using PostgreSQL");
        return Valid(grant);
    }

    private KeyGrant? Valid(KeyGrant? grant) => grant is not null && !grant.IsExpired(time.GetUtcNow()) ? grant : null;

    private async Task<KeyGrant?> LookUpAsync(string hash, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var token = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.UserId, t.Id, t.Scopes, t.ExpiresAt })
            .FirstOrDefaultAsync(ct);
        return token is null ? null : new KeyGrant(token.UserId, token.Id, token.Scopes, token.ExpiresAt);
    }
}
