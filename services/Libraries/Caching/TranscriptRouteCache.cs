using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace VexaService.Caching;

/// <summary>
/// The response bytes of <c>GET /transcripts/{platform}/{native_meeting_id}</c> (no query) for one user, kept in Redis
/// while the meeting that route names (the user's newest on that native id) is final. The gateway answers such reads
/// without the hop to Transcripts.
/// <para>
/// Two keys: the route's key holds a <em>tag</em> (a hash of the bytes), <see cref="RedisKeys.TranscriptBody"/> of that tag holds the
/// bytes. A tag always means the same bytes, so the gateway reads the small tag in the same Redis round trip as the
/// key lookup and keeps the bytes of tags it has seen in memory.
/// </para>
/// <para>
/// Every change of what the route answers (a new meeting on that native id, a PATCH, a DELETE, a webhook) calls
/// <see cref="InvalidateAsync"/> after its database commit: it gives the route a new generation and drops the bytes.
/// A reader takes the generation <em>before</em> it reads the database and stores only if it is unchanged, so a read
/// that raced a change can never put stale bytes back. If an invalidation cannot reach Redis (twice), the bytes live
/// about <see cref="Lifetime"/> longer (the same bound as a cached API key).
/// </para>
/// <para>
/// Correct under eviction (our Redis runs <c>allkeys-lru</c>): a generation is a random token, never a counter, and a
/// reader that finds none sets one. A store needs the generation to be there and to be the token the reader took; an
/// evicted generation never matches, and no later token can equal an earlier one. (With counters, a generation
/// evicted before a reader's read and again after a change read as "none" both times: stale bytes went back.)
/// </para>
/// </summary>
public sealed class TranscriptRouteCache(IConnectionMultiplexer redis, ILogger<TranscriptRouteCache> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    // Far longer than any read takes; short enough that idle routes do not accumulate generations.
    private static readonly TimeSpan GenerationLifetime = TimeSpan.FromDays(1);

    private const string ReadGenerationScript = """
        local generation = redis.call('GET', KEYS[1])
        if not generation then
          generation = ARGV[1]
          redis.call('SET', KEYS[1], generation, 'PX', ARGV[2])
        end
        return generation
        """;

    private const string StoreIfUnchangedScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
          return 1
        end
        return 0
        """;

    private const string InvalidateScript = """
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
        redis.call('DEL', KEYS[2])
        return 1
        """;

    /// <summary>The part of the key after the user id; the platform is one of the known names, so it has no colon.</summary>
    public static string Route(string platform, string nativeMeetingId) => $"{platform}:{nativeMeetingId}";

    /// <summary>The route's key: it holds the tag of the cached bytes.</summary>
    public static string Key(long userId, string platform, string nativeMeetingId) =>
        RedisKeys.TranscriptRoute(userId, Route(platform, nativeMeetingId));

    public static string Tag(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string GenerationKey(long userId, string platform, string nativeMeetingId) =>
        RedisKeys.TranscriptRouteGeneration(userId, Route(platform, nativeMeetingId));

    /// <summary>Read before the database; null when Redis is unavailable (then nothing is stored).</summary>
    public Task<Generation?> ReadGenerationAsync(long userId, string platform, string nativeMeetingId) =>
        redis.TryAsync<Generation?>(async db =>
        {
            var value = await db.ScriptEvaluateAsync(ReadGenerationScript, [GenerationKey(userId, platform, nativeMeetingId)],
                [RandomTokens.New(), (long)GenerationLifetime.TotalMilliseconds]);
            return new Generation(userId, platform, nativeMeetingId, value.ToString());
        }, logger, "Transcript route cache unavailable");

    /// <summary>Stores a final transcript's bytes for the route unless it changed since <paramref name="generation"/> was read.</summary>
    public async Task<bool> StoreAsync(Generation generation, byte[] bytes)
    {
        var tag = Tag(bytes);
        // The bytes under their tag first (a tag always names the same bytes), then the route's tag, if still current.
        return await redis.TryAsync(db => db.StringSetAsync(RedisKeys.TranscriptBody(tag), bytes, Lifetime), logger, "Could not cache the transcript route")
            && await StoreIfUnchangedAsync(generation, Key(generation.UserId, generation.Platform, generation.NativeMeetingId),
                Encoding.ASCII.GetBytes(tag), Lifetime);
    }

    /// <summary>
    /// Sets <paramref name="key"/> (any cache of what the route answers, such as a meeting's transcript) unless the
    /// route changed since <paramref name="generation"/> was read.
    /// </summary>
    public Task<bool> StoreIfUnchangedAsync(Generation generation, string key, byte[] value, TimeSpan lifetime) =>
        redis.TryAsync(async db => (long)await db.ScriptEvaluateAsync(StoreIfUnchangedScript,
            [GenerationKey(generation.UserId, generation.Platform, generation.NativeMeetingId), key],
            [generation.Value, value, (long)lifetime.TotalMilliseconds]) == 1, logger, "Could not cache a transcript");

    /// <summary>
    /// Call after the change is committed. If Redis fails, one more attempt follows a second later (in the background)
    /// before the bytes are left to expire.
    /// </summary>
    public async Task InvalidateAsync(long userId, string platform, string nativeMeetingId)
    {
        if (!await TryInvalidateAsync(userId, platform, nativeMeetingId))
        {
            _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => TryInvalidateAsync(userId, platform, nativeMeetingId),
                TaskScheduler.Default).Unwrap();
        }
    }

    private Task<bool> TryInvalidateAsync(long userId, string platform, string nativeMeetingId) =>
        redis.TryAsync(async db =>
            {
                await db.ScriptEvaluateAsync(InvalidateScript,
                    [GenerationKey(userId, platform, nativeMeetingId), Key(userId, platform, nativeMeetingId)],
                    [(long)GenerationLifetime.TotalMilliseconds, RandomTokens.New()]);
                return true;
            },
            logger, $"Could not invalidate a transcript route of user {userId} (its cached bytes expire within about {Lifetime})");

    /// <summary>The bytes a tag names, or null (expired, or Redis unavailable).</summary>
    public Task<byte[]?> TryReadBodyAsync(string tag) =>
        redis.TryAsync(async db => (byte[]?)await db.StringGetAsync(RedisKeys.TranscriptBody(tag)), logger, "Transcript route cache unavailable");

    /// <summary>A route's generation as a reader saw it.</summary>
    public sealed record Generation(long UserId, string Platform, string NativeMeetingId, string Value);
}
