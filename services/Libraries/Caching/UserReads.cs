using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VexaService.Data;

namespace VexaService.Caching;

/// <summary>
/// The generation of each user's reads that the gateway keeps (their meeting lists, a meeting, their running bots,
/// their usage): a random token in Redis, renewed after every committed change to one of the user's meetings
/// (<see cref="MeetingOwnerChanges"/> tells this observer, in every service that writes meetings). The gateway reads it
/// in the request's one Redis round trip, before the service reads the database, and keeps an answer only under the
/// generation it read; a renewed generation leaves every answer kept under the old one unreachable, on every replica.
/// <para>
/// Correct under eviction, like <see cref="TranscriptRouteCache"/>: a token, never a counter, so a generation evicted
/// and set again never equals one an answer was kept under. When Redis cannot be told, the users wait in this process
/// and are told again every second until Redis answers (the gateway, which cannot read a generation meanwhile, keeps
/// nothing and serves nothing kept); the gateway keeps no answer longer than a minute in any case.
/// </para>
/// </summary>
public sealed class UserReads(IConnectionMultiplexer redis, ILogger<UserReads> logger) : IMeetingOwnerObserver
{
    /// <summary>Longer than any answer is kept; short enough that idle users' generations do not pile up.</summary>
    public static readonly TimeSpan GenerationLifetime = TimeSpan.FromDays(1);

    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, byte> _untold = new();
    private int _retrying;

    public async Task ChangedAsync(IReadOnlyCollection<long> userIds)
    {
        if (!await TryRenewAsync(userIds))
        {
            foreach (var id in userIds)
            {
                _untold[id] = 0;
            }
            StartRetrying();
        }
    }

    private async Task<bool> TryRenewAsync(IReadOnlyCollection<long> userIds)
    {
        try
        {
            var db = redis.GetDatabase();
            await Task.WhenAll(userIds.Select(id => db.StringSetAsync(RedisKeys.UserReadsGeneration(id), RandomTokens.New(), GenerationLifetime)));
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not renew the read generation of users {UserIds} (retried every second): {Message}", userIds, e.Message);
            return false;
        }
    }

    private void StartRetrying()
    {
        if (Interlocked.Exchange(ref _retrying, 1) == 0)
        {
            _ = Task.Run(RetryAsync);
        }
    }

    private async Task RetryAsync()
    {
        while (!_untold.IsEmpty)
        {
            await Task.Delay(RetryEvery);
            long[] ids = [.. _untold.Keys];
            if (await TryRenewAsync(ids))
            {
                foreach (var id in ids)
                {
                    _untold.TryRemove(id, out _);
                }
            }
        }
        Volatile.Write(ref _retrying, 0);
        if (!_untold.IsEmpty) // added after the loop saw none
        {
            StartRetrying();
        }
    }
}
