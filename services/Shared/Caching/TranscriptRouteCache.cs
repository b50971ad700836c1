using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace VexaService.Shared.Caching;

/// <summary>
/// The response bytes of <c>GET /transcripts/{platform}/{native_meeting_id}</c> (no query) for one user, kept in Redis
/// while the meeting that route names (the user's newest on that native id) is final. The gateway answers such reads
/// without the hop to Transcripts.
/// <para>
/// Two keys: the route's key holds a <em>tag</em> (a hash of the bytes), <see cref="BodyKey"/> of that tag holds the
/// bytes. A tag always means the same bytes, so the gateway reads the small tag in the same Redis round trip as the
/// key lookup and keeps the bytes of tags it has seen in memory.
/// </para>
/// <para>
/// Every change of what the route answers (a new meeting on that native id, a PATCH, a DELETE, a webhook) calls
/// <see cref="InvalidateAsync"/> after its database commit: it bumps the route's generation and drops the bytes.
/// A reader takes the generation <em>before</em> it reads the database and stores only if it is unchanged, so a read
/// that raced a change can never put stale bytes back. If an invalidation cannot reach Redis, the bytes live at most
/// <see cref="Lifetime"/> (the same bound as a cached API key).
/// </para>
/// </summary>
public sealed class TranscriptRouteCache(IConnectionMultiplexer redis, ILogger<TranscriptRouteCache> logger)
{
    /// <summary>Keys are <c>{KeyPrefix}{userId}:{platform}:{native id}</c>; the gateway's script builds them the same way.</summary>
    public const string KeyPrefix = "transcript:route:v2:";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    // Far longer than any read takes; short enough that idle routes do not accumulate generation counters.
    private static readonly TimeSpan GenerationLifetime = TimeSpan.FromDays(1);

    private const string StoreScript = """
        if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
          redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
          redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
          return 1
        end
        return 0
        """;

    private const string InvalidateScript = """
        redis.call('INCR', KEYS[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('DEL', KEYS[2])
        return 1
        """;

    /// <summary>The part of the key after the user id; the platform is one of the known names, so it has no colon.</summary>
    public static string Route(string platform, string nativeMeetingId) => $"{platform}:{nativeMeetingId}";

    /// <summary>The route's key: it holds the tag of the cached bytes.</summary>
    public static string Key(long userId, string platform, string nativeMeetingId) =>
        $"{KeyPrefix}{userId}:{Route(platform, nativeMeetingId)}";

    /// <summary>The key of the bytes a tag names.</summary>
    public static string BodyKey(string tag) => $"transcript:body:v2:{tag}";

    public static string Tag(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string GenerationKey(long userId, string platform, string nativeMeetingId) =>
        $"transcript:route-gen:v1:{userId}:{Route(platform, nativeMeetingId)}";

    /// <summary>Read before the database; null when Redis is unavailable (then nothing is stored).</summary>
    public async Task<Generation?> ReadGenerationAsync(long userId, string platform, string nativeMeetingId)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(GenerationKey(userId, platform, nativeMeetingId));
            return new Generation(userId, platform, nativeMeetingId, value.HasValue ? value.ToString() : "");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Transcript route cache unavailable: {Message}", e.Message);
            return null;
        }
    }

    /// <summary>Stores a final transcript's bytes unless the route changed since <paramref name="generation"/> was read.</summary>
    public async Task<bool> StoreAsync(Generation generation, byte[] bytes)
    {
        var (userId, platform, nativeId, value) = generation;
        var tag = Tag(bytes);
        try
        {
            var stored = await redis.GetDatabase().ScriptEvaluateAsync(StoreScript,
                [GenerationKey(userId, platform, nativeId), Key(userId, platform, nativeId), BodyKey(tag)],
                [value, bytes, tag, (long)Lifetime.TotalMilliseconds]);
            return (long)stored == 1;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not cache the transcript route: {Message}", e.Message);
            return false;
        }
    }

    /// <summary>Call after the change is committed.</summary>
    public async Task InvalidateAsync(long userId, string platform, string nativeMeetingId)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(InvalidateScript,
                [GenerationKey(userId, platform, nativeMeetingId), Key(userId, platform, nativeMeetingId)],
                [(long)GenerationLifetime.TotalMilliseconds]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not invalidate the transcript route of user {UserId} (cached bytes expire within {Lifetime}): {Message}",
                userId, Lifetime, e.Message);
        }
    }

    /// <summary>The route's cached bytes, or null (not cached, or Redis unavailable).</summary>
    public async Task<byte[]?> TryReadAsync(long userId, string platform, string nativeMeetingId)
    {
        try
        {
            var tag = await redis.GetDatabase().StringGetAsync(Key(userId, platform, nativeMeetingId));
            return tag.HasValue ? await TryReadBodyAsync(tag.ToString()) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Transcript route cache unavailable: {Message}", e.Message);
            return null;
        }
    }

    /// <summary>The bytes a tag names, or null (expired, or Redis unavailable).</summary>
    public async Task<byte[]?> TryReadBodyAsync(string tag)
    {
        try
        {
            return (byte[]?)await redis.GetDatabase().StringGetAsync(BodyKey(tag));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Transcript route cache unavailable: {Message}", e.Message);
            return null;
        }
    }

    /// <summary>A route's generation as a reader saw it.</summary>
    public sealed record Generation(long UserId, string Platform, string NativeMeetingId, string Value);
}
