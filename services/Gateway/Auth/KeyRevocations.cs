using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Data;

namespace VexaService.Gateway.Auth;

/// <summary>
/// The keys deleted lately, read from PostgreSQL (<see cref="RevokedToken"/>, written by a trigger with the deletion)
/// every <see cref="AuthOptions.RevocationPollInterval"/>. AdminApi drops a deleted key's cached lookup from Redis, but
/// when it cannot reach Redis the entry would let the key in until it expires (<see cref="AuthOptions.CacheLifetime"/>):
/// so a key named here is refused whatever the cache says, and its entry is dropped from here. If the revocations
/// could not be read for <see cref="AuthOptions.RevocationMaxLag"/>, no cached lookup is trusted (every key is looked up
/// in PostgreSQL): a revoked key stops within that time, always.
/// </summary>
public sealed class KeyRevocations(
    IServiceScopeFactory scopes,
    IConnectionMultiplexer redis,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<KeyRevocations> logger) : BackgroundService
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private volatile HashSet<string> _revoked = [];

    // Start-up counts as a read: a replica that starts while the database is out of its reach serves cached keys for
    // RevocationMaxLag, as one that has just lost it does.
    private long _readAt = time.GetTimestamp();
    private DateTime _prunedAt;

    public bool IsRevoked(string hash) => _revoked.Contains(hash);

    /// <summary>Whether cached lookups may be used: the revocations were read recently enough.</summary>
    public bool CacheTrusted
    {
        get
        {
            return time.GetElapsedTime(Interlocked.Read(ref _readAt)) <= options.Value.RevocationMaxLag;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval, time);
        do
        {
            await ReadAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One read of the revocations (the poll; tests call it to skip the wait).</summary>
    public async Task ReadAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            // Every revocation whose key may still have a cached entry: one cached just before the deletion lives a
            // cache lifetime, and one read before it but cached after it a little longer.
            var since = DateTime.UtcNow - 2 * options.Value.CacheLifetime;
            var hashes = (await db.RevokedTokens.AsNoTracking().Where(r => r.RevokedAt > since).Select(r => r.TokenHash).ToListAsync(ct))
                .ToHashSet();
            var known = _revoked;
            foreach (var hash in hashes.Where(h => !known.Contains(h)))
            {
                await redis.TryAsync(cache => cache.KeyDeleteAsync(RedisKeys.AuthToken(hash)), logger,
                    "Could not drop a revoked key's cached lookup from Redis (it is refused anyway)");
            }
            _revoked = hashes;
            Interlocked.Exchange(ref _readAt, started);
            if (DateTime.UtcNow - _prunedAt > TimeSpan.FromMinutes(1))
            {
                _prunedAt = DateTime.UtcNow;
                var before = DateTime.UtcNow - Retention;
                await db.RevokedTokens.Where(r => r.RevokedAt < before).ExecuteDeleteAsync(ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not read the revoked keys; cached key lookups are not trusted after {MaxLag}",
                options.Value.RevocationMaxLag);
        }
    }
}
