using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Shared.Api;
using VexaService.Shared.Auth;
using VexaService.Shared.Data;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Resolves an X-API-Key to our user id: the Redis entry that <see cref="EdgeLookup"/> read (short-lived, dropped by
/// AdminApi when a token is deleted), PostgreSQL on a miss, which is then cached. When Redis is down, every lookup
/// goes to PostgreSQL: authentication never depends on the cache.
/// </summary>
public sealed class ApiKeyAuthenticator(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopes,
    IOptions<AuthOptions> options,
    ILogger<ApiKeyAuthenticator> logger)
{
    private const string Unknown = "0";

    /// <param name="hash">The key's <see cref="ApiKeyHash"/>.</param>
    /// <param name="cached">The key's cached lookup as <see cref="EdgeLookup"/> found it.</param>
    public async Task<long?> AuthenticateAsync(string hash, RedisValue cached, CancellationToken ct)
    {
        if (cached.HasValue && long.TryParse((string?)cached, NumberStyles.None, CultureInfo.InvariantCulture, out var cachedId))
        {
            return cachedId == 0 ? null : cachedId;
        }

        var userId = await LookUpAsync(hash, ct);
        var lifetime = userId is null ? options.Value.NegativeCacheLifetime : options.Value.CacheLifetime;
        await redis.TryAsync(db => db.StringSetAsync(ApiKeyHash.CacheKey(hash),
            userId?.ToString(CultureInfo.InvariantCulture) ?? Unknown, lifetime), logger, "Redis unavailable for the auth cache, using PostgreSQL");
        return userId;
    }

    private async Task<long?> LookUpAsync(string hash, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        return await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => (long?)t.UserId)
            .FirstOrDefaultAsync(ct);
    }
}
