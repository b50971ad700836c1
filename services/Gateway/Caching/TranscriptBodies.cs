using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using VexaService.Caching;

namespace VexaService.Gateway.Caching;

/// <summary>
/// The bytes of completed transcripts by tag (<see cref="TranscriptRouteCache"/>), in this process's memory: a tag
/// always names the same bytes, so only the small tag travels from Redis per request. Memory is bounded by
/// <see cref="TranscriptCacheOptions.MemoryLimitBytes"/>; an entry unused for the route cache's lifetime is dropped.
/// Whether a caller may see a tag's bytes is decided in Redis on every request, never here.
/// </summary>
public sealed class TranscriptBodies(TranscriptRouteCache routes, IOptions<TranscriptCacheOptions> options) : IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = options.Value.MemoryLimitBytes });

    /// <summary>The bytes of <paramref name="tag"/>, or null when neither memory nor Redis has them.</summary>
    public async ValueTask<byte[]?> GetAsync(string tag)
    {
        if (_memory.TryGetValue(tag, out byte[]? bytes))
        {
            return bytes;
        }
        bytes = await routes.TryReadBodyAsync(tag);
        if (bytes is not null && bytes.Length <= options.Value.MemoryLimitBytes)
        {
            _memory.Set(tag, bytes, new MemoryCacheEntryOptions { Size = bytes.Length, SlidingExpiration = TranscriptRouteCache.Lifetime });
        }
        return bytes;
    }

    public void Dispose() => _memory.Dispose();
}

public sealed class TranscriptCacheOptions
{
    public const string Section = "TranscriptCache";

    /// <summary>Memory the gateway may spend on completed transcripts' bytes.</summary>
    public long MemoryLimitBytes { get; set; } = 128L * 1024 * 1024;
}
