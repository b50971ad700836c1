using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using VexaService.Caching;
using VexaService.Gateway.Proxy;
using VexaService.Http.Caching;

namespace VexaService.Gateway.Caching;

/// <summary>
/// The answers of the reads users poll (<c>GET /meetings</c>, <c>/meetings/{id}</c>, <c>/bots</c>, <c>/bots/status</c>,
/// <c>/user/usage</c>, a live meeting's <c>/transcripts/...</c>), kept in this replica's memory by user, read generation (<see cref="UserReads"/>) and path with
/// query, and answered here without the hop to a service while the user's generation is the one they were kept under.
/// Only what a service marked (<see cref="EdgeKeep"/>) is kept, only a 200, for as long as it said and never over
/// <see cref="EdgeKeep.UntilChanged"/>. A key names its user, so one user's bytes can never answer another: the
/// user comes from the key check, never from the request. Without a generation (Redis unavailable, a key not cached
/// yet) nothing is served from here or kept, and when Redis fails everything kept is dropped: writers could not renew
/// generations meanwhile.
/// <para>
/// An answer whose time is up (the running bots' copy it was made from is 2 s old) is refreshed by one request while the
/// others still get it, for at most <see cref="Grace"/>: when the copy ran out, every poller of that user went to
/// BotManager at once, and those turns were scenario (3)'s p99 (3.2× the floor's). A write never waits like this: it
/// renews the generation, under which nothing is kept yet.
/// </para>
/// </summary>
public sealed class UserReadCache(IOptions<UserReadCacheOptions> options, TimeProvider time) : IDisposable
{
    /// <summary>How long an answer whose time is up is still served while one request refreshes it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private const string RefreshingItem = "vexa.read-cache.refreshing";

    // Transcripts: a live meeting's transcript read from the copy the feed keeps whole (a completed one has its own
    // cache, TranscriptBodies); every write to that copy renews its owner's generation.
    private static readonly HashSet<string> Routes =
        [GatewayRoutes.Meetings, GatewayRoutes.BotsList, GatewayRoutes.Bots, GatewayRoutes.User, GatewayRoutes.Transcripts];

    // The largest answer kept: a page of 100 meetings with their data is far smaller.
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = options.Value.MemoryLimitBytes });

    /// <summary>A read whose answer the service may mark for keeping: a GET on one of the routes it can come from.</summary>
    public static bool IsCandidate(HttpRequest request, string routeId) => HttpMethods.IsGet(request.Method) && Routes.Contains(routeId);

    /// <summary>Answers from memory when this user's read at this generation is kept; else false.</summary>
    public async Task<bool> TryAnswerAsync(HttpContext context, long userId, string generation)
    {
        if (!_memory.TryGetValue(Key(userId, generation, context.Request), out Kept? kept) || kept is null)
        {
            return false;
        }
        if (time.GetUtcNow() >= kept.FreshUntil && kept.TryRefresh())
        {
            context.Items[RefreshingItem] = kept; // this request asks the service; the others keep getting it meanwhile
            return false;
        }
        Activity.Current?.SetTag("vexa.read.cache", "gateway");
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = kept.ContentType;
        context.Response.ContentLength = kept.Body.Length;
        await context.Response.Body.WriteAsync(kept.Body, context.RequestAborted);
        return true;
    }

    /// <summary>
    /// Sends the read on to its service, removes the service's <see cref="EdgeKeep"/> mark from the answer, and keeps
    /// a marked 200 under <paramref name="generation"/> (read before the service read the database) when there is one.
    /// </summary>
    public async Task ForwardAsync(HttpContext context, long userId, string? generation, RequestDelegate next)
    {
        var response = context.Response;
        TimeSpan? keep = null;
        response.OnStarting(() =>
        {
            keep = EdgeKeep.Read(response.Headers);
            response.Headers.Remove(EdgeKeep.HeaderName);
            return Task.CompletedTask;
        });
        if (generation is null)
        {
            await next(context);
            return;
        }
        var body = response.Body;
        await using var copy = new CopyingStream(body, MaxBodyBytes);
        response.Body = copy;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = body;
        }
        if (keep is { } keepFor && response.StatusCode == StatusCodes.Status200OK && copy.Copy is { } bytes)
        {
            var lifetime = keepFor < EdgeKeep.UntilChanged ? keepFor : EdgeKeep.UntilChanged;
            _memory.Set(Key(userId, generation, context.Request), new Kept(bytes, response.ContentType, time.GetUtcNow() + lifetime),
                new MemoryCacheEntryOptions { Size = bytes.Length + 256, AbsoluteExpirationRelativeToNow = lifetime + Grace });
        }
        else if (context.Items[RefreshingItem] is Kept refreshing)
        {
            refreshing.RefreshFailed(); // the next request tries again
        }
    }

    /// <summary>Forgets everything kept (Redis failed: a generation read later may predate changes it missed).</summary>
    public void Clear() => _memory.Clear();

    private static string Key(long userId, string generation, HttpRequest request) =>
        $"{userId} {generation} {request.Path.Value}{request.QueryString.Value}";

    public void Dispose() => _memory.Dispose();

    private sealed class Kept(byte[] body, string? contentType, DateTimeOffset freshUntil)
    {
        private int _refreshing;

        public byte[] Body { get; } = body;
        public string? ContentType { get; } = contentType;
        public DateTimeOffset FreshUntil { get; } = freshUntil;

        /// <summary>True for the one request that refreshes it.</summary>
        public bool TryRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

        public void RefreshFailed() => Volatile.Write(ref _refreshing, 0);
    }

    /// <summary>Writes through to the response and keeps a copy of what went by, up to a size (then no copy).</summary>
    private sealed class CopyingStream(Stream inner, int limit) : Stream
    {
        private MemoryStream? _copy = new();

        public byte[]? Copy => _copy?.ToArray();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Note(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Note(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        private void Note(ReadOnlySpan<byte> bytes)
        {
            if (_copy is null)
            {
                return;
            }
            if (_copy.Length + bytes.Length > limit)
            {
                _copy = null;
                return;
            }
            _copy.Write(bytes);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

public sealed class UserReadCacheOptions
{
    public const string Section = "UserReadCache";

    /// <summary>Memory the gateway may spend on kept reads.</summary>
    public long MemoryLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Off: no generation is read and every read goes to its service (which still has its mark removed).</summary>
    public bool Enabled { get; set; } = true;
}
