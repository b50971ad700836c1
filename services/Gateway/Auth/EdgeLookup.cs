using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Gateway.Caching;

namespace VexaService.Gateway.Auth;

/// <summary>
/// What the gateway needs from Redis for one request, in one round trip (one script): the key's cached lookup, its
/// rate-limit count, and for a plain transcript read the tag of the cached response (<see cref="TranscriptRouteCache"/>),
/// which is looked up under the cached user's id inside the script. The script builds that key itself, so it needs a
/// single Redis server (not Redis Cluster), which is what the AppHost provisions.
/// Requests of one key for the same read share round trips: while one is on its way, the requests that arrive wait for
/// it to return and then go together in the next, which counts each of them (<c>INCRBY</c> their number, each request
/// getting its own place in the count). Every request is answered from a round trip that started after it arrived, so
/// what it sees is what it would have seen alone: a key deleted, a limit reached or a generation renewed before it
/// arrived is in its answer. A key polled by many connections at once costs one round trip per batch, not per request.
/// If Redis is unreachable nothing is cached and the request is allowed (fail open): an outage of the cache must not
/// take the API down; keys are then checked in PostgreSQL and the limit returns with Redis.
/// </summary>
public sealed class EdgeLookup(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, TimeProvider time,
    UserReadCache reads, ILogger<EdgeLookup> logger)
{
    private const string Script = """
        local user = redis.call('GET', KEYS[1])
        local count = 0
        if ARGV[1] ~= '0' then
          count = redis.call('INCRBY', KEYS[2], ARGV[2])
          if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
        end
        local tag = false
        local generation = false
        local reads = ARGV[5] ~= nil
        if user and user ~= '0' and (ARGV[3] ~= '' or reads) then
          local id = string.match(user, '^(%d+):')
          if id and ARGV[3] ~= '' then
            tag = redis.call('GET', ARGV[4] .. id .. ':' .. ARGV[3])
          end
          if id and reads and not tag then
            generation = redis.call('GET', ARGV[5] .. id)
            if not generation then
              generation = ARGV[6]
              redis.call('SET', ARGV[5] .. id, generation, 'PX', ARGV[7])
            end
          end
        end
        return {user, count, tag, generation}
        """;

    private readonly ConcurrentDictionary<Read, Lane> _lanes = new();

    /// <param name="tokenHash">The key's hash (the plaintext goes no further than the gateway's edge).</param>
    /// <param name="transcriptRoute"><see cref="TranscriptRouteCache.Route"/> of a plain transcript read, else null.</param>
    /// <param name="userRead">A read the gateway may keep (<see cref="UserReadCache"/>): the cached user's read
    /// generation comes back too, set to a new token when there is none (<see cref="UserReads"/>), unless a completed
    /// transcript's tag answers the read already.</param>
    public Task<EdgeState> ReadAsync(string tokenHash, string? transcriptRoute, bool userRead = false)
    {
        var read = new Read(tokenHash, transcriptRoute, userRead);
        var waiter = new TaskCompletionSource<EdgeState>(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            var lane = _lanes.GetOrAdd(read, static _ => new Lane());
            lock (lane)
            {
                if (lane.Retired)
                {
                    continue; // emptied and on its way out of the dictionary: take a new one
                }
                if (lane.Busy)
                {
                    (lane.Waiting ??= []).Add(waiter); // goes in the round trip after the one on its way
                    return waiter.Task;
                }
                lane.Busy = true;
            }
            _ = ServeAsync(read, lane, [waiter]);
            return waiter.Task;
        }
    }

    /// <summary>Round trips for <paramref name="batch"/>, then for whoever waited meanwhile, until nobody did.</summary>
    private async Task ServeAsync(Read read, Lane lane, List<TaskCompletionSource<EdgeState>> batch)
    {
        while (true)
        {
            try
            {
                var states = await RoundTripAsync(read, batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult(states(i));
                }
            }
            catch (Exception e)
            {
                batch.ForEach(waiter => waiter.TrySetException(e));
            }
            lock (lane)
            {
                if (lane.Waiting is { } next)
                {
                    lane.Waiting = null;
                    batch = next;
                    continue;
                }
                lane.Retired = true;
            }
            _lanes.TryRemove(KeyValuePair.Create(read, lane));
            return;
        }
    }

    /// <summary>One script for <paramref name="requests"/> requests: the state of the i-th of them, by i.</summary>
    private async Task<Func<int, EdgeState>> RoundTripAsync(Read read, int requests)
    {
        var limit = options.Value.PermitLimit;
        var windowMs = limit > 0 ? (long)options.Value.Window.TotalMilliseconds : 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = windowMs > 0 ? now - now % windowMs : now;
        try
        {
            // The window's length is part of the counter's key: replicas configured with different windows (a rollout)
            // must not add to each other's counts whenever their window starts coincide.
            // A read the gateway may keep passes three more arguments: the generation's prefix, a token in case there is
            // none, and its lifetime.
            RedisValue[] arguments = read.UserRead
                ? [windowMs, requests, read.TranscriptRoute ?? "", RedisKeys.TranscriptRoutePrefix,
                    RedisKeys.UserReadsGenerationPrefix, RandomTokens.New(), (long)UserReads.GenerationLifetime.TotalMilliseconds]
                : [windowMs, requests, read.TranscriptRoute ?? "", RedisKeys.TranscriptRoutePrefix];
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script,
                [RedisKeys.AuthToken(read.TokenHash), RedisKeys.RateLimit(read.TokenHash, windowMs, windowStart)], arguments))!;
            var (user, tag, generation) = ((RedisValue)result[0], result[2].IsNull ? null : (string?)result[2],
                result[3].IsNull ? null : (string?)result[3]);
            // The count after all of them: the i-th request's own count is the one it would have had alone.
            var last = (long)result[1];
            var retryAfter = (int)Math.Ceiling((windowStart + windowMs - now) / 1000.0);
            return i => new EdgeState(user, windowMs > 0 && last - requests + i + 1 > limit ? retryAfter : null, tag, generation);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable at the gateway's edge (keys checked in PostgreSQL, no rate limit, no kept reads): {Message}", e.Message);
            reads.Clear();
            return static _ => new EdgeState(RedisValue.Null, null, null, null);
        }
    }

    /// <summary>What one round trip reads: requests asking for the same share it.</summary>
    private readonly record struct Read(string TokenHash, string? TranscriptRoute, bool UserRead);

    /// <summary>The round trips of one <see cref="Read"/>: at most one on its way, and the requests waiting for the next.</summary>
    private sealed class Lane
    {
        public bool Busy;
        public bool Retired;
        public List<TaskCompletionSource<EdgeState>>? Waiting;
    }
}

/// <param name="CachedUser">The cached lookup of the key ("0" = unknown key), or no value on a miss.</param>
/// <param name="RetryAfterSeconds">Set when the key is over its rate limit.</param>
/// <param name="TranscriptTag">The tag of a plain transcript read's cached response, when the cached user has one.</param>
/// <param name="ReadGeneration">The cached user's read generation, when asked for (<see cref="UserReads"/>).</param>
public readonly record struct EdgeState(RedisValue CachedUser, int? RetryAfterSeconds, string? TranscriptTag, string? ReadGeneration);
