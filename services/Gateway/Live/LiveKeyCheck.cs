using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VexaService.Data;

namespace VexaService.Gateway.Live;

/// <summary>
/// Every <see cref="LiveOptions.KeyCheckSeconds"/>, the keys of this replica's open <c>/ws</c> sockets are read back
/// from PostgreSQL in one query: a socket whose key was deleted or has expired since it connected is closed (4401).
/// HTTP requests are refused at once (each one is checked); a socket was checked once, at its upgrade, and would
/// otherwise stream a withdrawn key's transcripts for as long as it stayed open. While PostgreSQL cannot be read the
/// sockets stay open (a database outage does not cut every stream) and the next check catches up.
/// </summary>
public sealed class LiveKeyCheck(LiveConnections connections, IServiceScopeFactory scopes, TimeProvider time,
    IOptions<LiveOptions> options, ILogger<LiveKeyCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.KeyCheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not check the keys of open /ws sockets: {Error}", e.Message);
            }
        }
    }

    /// <summary>One check of every open socket's key; the number of sockets closed.</summary>
    public async Task<int> CheckAsync(CancellationToken ct)
    {
        var sockets = connections.Sockets.ToList();
        if (sockets.Count == 0)
        {
            return 0;
        }
        var keys = sockets.Select(s => s.TokenId).Distinct().ToList();
        var now = time.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var valid = (await db.ApiTokens.AsNoTracking()
            .Where(t => keys.Contains(t.Id) && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => t.Id)
            .ToListAsync(ct)).ToHashSet();
        var withdrawn = sockets.Where(s => !valid.Contains(s.TokenId)).ToList();
        foreach (var socket in withdrawn)
        {
            socket.KeyWithdrawn();
        }
        return withdrawn.Count;
    }
}
