using System.Buffers;
using System.Text;
using System.Text.Json;
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
    private volatile Parsed? _parsed; // the shared copy this replica read last, parsed once
    private readonly ArrayBufferWriter<byte> _copy = new(); // the copy being stored, under _fetch

    private sealed record LocalCopy(Snapshot Copy, DateTimeOffset At);

    /// <summary>A shared copy as parsed here, named by the stamp it was stored with.</summary>
    private sealed record Parsed(string Stamp, Snapshot Copy);

    // The shared copy is its stamp, a newline, then the JSON. A reader that holds the copy a stamp names gets back
    // only 1, not the copy: each GET /bots/status used to bring every running bot's JSON over and parse it again, and
    // that churn of large objects grew BotManager's memory under load by a third.
    private const string ReadScript = """
        local value = redis.call('GET', KEYS[1])
        if not value then return false end
        if ARGV[1] ~= '' and string.sub(value, 1, tonumber(ARGV[2])) == ARGV[1] then return 1 end
        return value
        """;

    /// <param name="Issuer">The Wholesaler that answered (<see cref="WholesalerIdentity"/>): its ids are the bots' meeting ids.</param>
    /// <param name="FreshUntil">Until when this copy is the one every reader gets (a read answered from it may be kept
    /// as long); null for the last copy served while the Wholesaler cannot be asked, or a copy not kept at all.</param>
    public sealed record Snapshot(string Issuer, IReadOnlyList<JsonObject> Bots, DateTimeOffset? FreshUntil = null);

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
                snapshot = snapshot with { FreshUntil = time.GetUtcNow() + options.Value.RunningBotsMaxAge };
            }
            catch (WholesalerUnavailableException)
            {
                if (await LastAsync() is { } last)
                {
                    return last;
                }
                throw;
            }
            Materialize(snapshot.Bots);
            _local = new LocalCopy(snapshot, time.GetUtcNow());
            var stamp = RandomTokens.New();
            var copy = Write(stamp, snapshot);
            _parsed = new Parsed(stamp, snapshot);
            await redis.TryAsync(db => db.StringSetAsync(_key, copy, options.Value.RunningBotsMaxAge), logger, "Shared copy of the running bots not updated");
            await redis.TryAsync(db => db.StringSetAsync(_lastKey, copy, options.Value.RunningBotsStaleFor), logger, "Last copy of the running bots not kept");
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
        return shared is null ? null : shared with { FreshUntil = null };
    }

    private Task<Snapshot?> ReadAsync() => ReadAsync(_key, options.Value.RunningBotsMaxAge);

    private async Task<Snapshot?> ReadAsync(string key, TimeSpan maxAge)
    {
        var held = key == _key ? _parsed : null;
        RedisResult result;
        try
        {
            result = await redis.GetDatabase().ScriptEvaluateAsync(ReadScript, [key], [held?.Stamp ?? "", RandomTokens.Length]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Shared copy of the running bots unavailable: {Message}", e.Message);
            return _local is { } local && time.GetUtcNow() - local.At < maxAge ? local.Copy with { FreshUntil = null } : null;
        }
        if (result.Resp2Type == ResultType.Integer)
        {
            return held!.Copy; // the copy this replica parsed last is still the shared one
        }
        var parsed = Parse((byte[]?)result);
        if (parsed is not null && key == _key)
        {
            _parsed = parsed;
        }
        return parsed?.Copy;
    }

    /// <summary>
    /// The copy as stored (stamp, newline, JSON), written into one buffer reused under <see cref="_fetch"/> (the Redis
    /// writes are awaited before it is released): hundreds of running bots are a large object, and building it as
    /// cloned nodes, then a string, then that string with its stamp put three of them on the large-object heap every
    /// two seconds, which BotManager's memory kept growing with.
    /// </summary>
    private ReadOnlyMemory<byte> Write(string stamp, Snapshot snapshot)
    {
        _copy.ResetWrittenCount();
        _copy.Write(Encoding.ASCII.GetBytes(stamp + "\n"));
        using var json = new Utf8JsonWriter(_copy);
        json.WriteStartObject();
        json.WriteString("issuer", snapshot.Issuer);
        json.WriteNumber("fresh_until", snapshot.FreshUntil!.Value.ToUnixTimeMilliseconds());
        json.WriteStartArray("bots");
        foreach (var bot in snapshot.Bots)
        {
            bot.WriteTo(json);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        return _copy.WrittenMemory;
    }

    /// <summary>A stored copy (stamp, newline, JSON), parsed and made safe to read from many requests at once.</summary>
    private static Parsed? Parse(byte[]? value)
    {
        const int stampLength = RandomTokens.Length;
        if (value is null || value.Length <= stampLength || value[stampLength] != (byte)'\n'
            || JsonSerializer.Deserialize<JsonObject>(value.AsSpan(stampLength + 1)) is not { } json
            || json["issuer"]?.GetValue<string>() is not { } issuer || json["bots"] is not JsonArray bots)
        {
            return null;
        }
        DateTimeOffset? freshUntil = json["fresh_until"] is JsonValue until && until.TryGetValue(out long ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        var list = bots.OfType<JsonObject>().ToList();
        Materialize(list);
        return new Parsed(Encoding.ASCII.GetString(value, 0, stampLength), new Snapshot(issuer, list, freshUntil));
    }

    /// <summary>
    /// Walks every node once: a parsed <see cref="JsonObject"/> fills itself in on first use, which is not safe from
    /// two threads at once; filled in, it is only read (readers <see cref="JsonNode.DeepClone"/> what they change).
    /// </summary>
    private static void Materialize(IEnumerable<JsonNode?> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case JsonObject obj:
                    Materialize(obj.Select(p => p.Value));
                    break;
                case JsonArray array:
                    Materialize(array);
                    break;
            }
        }
    }
}
