using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;

namespace VexaService.Wholesaler;

/// <summary>
/// The Wholesaler's running bots (<c>GET /bots/status</c> of our one system user) as one short-lived copy that every
/// replica shares through Redis, at most <see cref="WholesalerOptions.RunningBotsMaxAge"/> old and fetched by one
/// caller at a time per replica: however many users poll their bots, the Wholesaler is asked about once per max age.
/// Our own starts and stops drop the copy, so a user always sees the bot they just started. Without Redis a
/// replica keeps its own copy. When the Wholesaler cannot be asked (our call budget is spent, as with the hosted API's
/// 120 calls a minute, or it is down), the last copy is served for up to <see cref="WholesalerOptions.RunningBotsStaleFor"/>
/// instead of an error: what users poll must not fail for want of a Wholesaler call.
/// </summary>
public sealed class RunningBots(IServiceProvider services, IConnectionMultiplexer redis, IOptions<WholesalerOptions> options,
    TimeProvider time, ILogger<RunningBots> logger)
{
    private readonly string _key = RedisKeys.WholesalerRunningBots(options.Value.RedisScope());
    private readonly string _lastKey = RedisKeys.WholesalerRunningBotsLast(options.Value.RedisScope());
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private volatile LocalCopy? _local; // a reference, swapped whole: readers never see a copy with another copy's time

    private sealed record LocalCopy(Snapshot Copy, DateTimeOffset At);

    /// <param name="Issuer">The Wholesaler that answered (<see cref="WholesalerIdentity"/>): its ids are the bots' meeting ids.</param>
    public sealed record Snapshot(string Issuer, IReadOnlyList<JsonObject> Bots);

    public async Task<Snapshot> GetAsync(CancellationToken ct)
    {
        if (options.Value.RunningBotsMaxAge <= TimeSpan.Zero)
        {
            return await FetchAsync(ct); // no copy kept
        }
        if (await ReadAsync() is { } shared)
        {
            return shared;
        }
        await _fetch.WaitAsync(ct);
        try
        {
            if (await ReadAsync() is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }
            Snapshot snapshot;
            try
            {
                snapshot = await FetchAsync(ct);
            }
            catch (WholesalerUnavailableException)
            {
                if (await LastAsync() is { } last)
                {
                    return last;
                }
                throw;
            }
            _local = new LocalCopy(snapshot, time.GetUtcNow());
            var json = new JsonObject { ["issuer"] = snapshot.Issuer, ["bots"] = new JsonArray(snapshot.Bots.Select(b => (JsonNode)b.DeepClone()).ToArray()) }
                .ToJsonString();
            await redis.TryAsync(db => db.StringSetAsync(_key, json, options.Value.RunningBotsMaxAge), logger, "Shared copy of the running bots not updated");
            await redis.TryAsync(db => db.StringSetAsync(_lastKey, json, options.Value.RunningBotsStaleFor), logger, "Last copy of the running bots not kept");
            return snapshot;
        }
        finally
        {
            _fetch.Release();
        }
    }

    private async Task<Snapshot> FetchAsync(CancellationToken ct)
    {
        var bots = await services.GetRequiredService<WholesalerClient>().ListRunningBotsAsync(ct);
        return new Snapshot(bots.Issuer, bots.Items);
    }

    /// <summary>After a start or a stop: the next read asks the Wholesaler.</summary>
    public async Task InvalidateAsync()
    {
        _local = null;
        await redis.TryAsync(db => db.KeyDeleteAsync(_key), logger, "Shared copy of the running bots not dropped");
    }

    /// <summary>The last copy any replica fetched, if it is younger than <see cref="WholesalerOptions.RunningBotsStaleFor"/>.</summary>
    private async Task<Snapshot?> LastAsync()
    {
        var shared = await ReadAsync(_lastKey, options.Value.RunningBotsStaleFor);
        if (shared is not null)
        {
            logger.LogInformation("The Wholesaler cannot be asked for its running bots now; serving the last copy");
        }
        return shared;
    }

    private Task<Snapshot?> ReadAsync() => ReadAsync(_key, options.Value.RunningBotsMaxAge);

    private async Task<Snapshot?> ReadAsync(string key, TimeSpan maxAge)
    {
        RedisValue value;
        try
        {
            value = await redis.GetDatabase().StringGetAsync(key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Shared copy of the running bots unavailable: {Message}", e.Message);
            return _local is { } local && time.GetUtcNow() - local.At < maxAge ? local.Copy : null;
        }
        if (value.IsNullOrEmpty || JsonNode.Parse(value.ToString()) is not JsonObject json
            || json["issuer"]?.GetValue<string>() is not { } issuer || json["bots"] is not JsonArray bots)
        {
            return null;
        }
        return new Snapshot(issuer, bots.OfType<JsonObject>().ToList()); // freshly parsed: nobody else holds these nodes
    }
}
