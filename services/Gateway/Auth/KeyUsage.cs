using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Records when each API key was last used, off the request path: a request only checks an in-memory time and, at
/// most once a minute per key on this replica, queues the key's id; a background loop writes the queued ids in one
/// statement. A full queue drops the note (the next minute brings another): a busy database never slows requests.
/// </summary>
public sealed class KeyUsage(IServiceScopeFactory scopes, TimeProvider time, ILogger<KeyUsage> logger) : BackgroundService
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<long, long> _noted = new();
    private readonly Channel<long> _queue = Channel.CreateBounded<long>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>The key <paramref name="tokenId"/> was just let through.</summary>
    public void Touch(long tokenId)
    {
        var now = time.GetTimestamp();
        if (_noted.TryGetValue(tokenId, out var last) && time.GetElapsedTime(last, now) < Resolution)
        {
            return;
        }
        _noted[tokenId] = now;
        _queue.Writer.TryWrite(tokenId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new HashSet<long>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < 500 && _queue.Reader.TryRead(out var id))
            {
                batch.Add(id);
            }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
                var ids = batch.ToArray();
                var at = time.GetUtcNow().UtcDateTime;
                await db.ApiTokens.Where(t => ids.Contains(t.Id) && (t.LastUsedAt == null || t.LastUsedAt < at))
                    .ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, at), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not record the last use of {Count} API keys: {Error}", batch.Count, e.Message);
            }
        }
    }
}
