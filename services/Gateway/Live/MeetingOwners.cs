using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Data;

namespace VexaService.Gateway.Live;

/// <summary>
/// Which of our users a Wholesaler frame for (platform, native id) belongs to. Frames carry no meeting id (contract
/// §14): they belong to our meeting live on that native id (one at most, across all users), or, when none is live, to
/// the newest one if it ended less than <see cref="Afterglow"/> ago (its last segments still arrive); otherwise to
/// nobody. A meeting's frames begin with its statuses (the Wholesaler reports <c>joining</c> before any segment), so
/// status frames are looked up afresh: a native id passing to another user is seen at that user's first status frame.
/// Transcript frames use the last answer; one older than <see cref="Kept"/> (a safety net for a status frame that never
/// came) is looked up again in the background while the frames keep flowing. Only the first frame of a meeting waits for
/// a query. (Looked up in line once a second, 200 watched meetings cost 200 queries a second on the upstream socket's
/// reader, and frames waited seconds behind them; kept 30 s, the lookups of meetings subscribed together fell due
/// together and stalled the reader 2 s.)
/// </summary>
public sealed class MeetingOwners(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan Afterglow = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Kept = TimeSpan.FromSeconds(5);

    public readonly record struct Owner(long UserId, long MeetingId);

    private readonly ConcurrentDictionary<(string, string), (Owner? Owner, DateTimeOffset Until)> _cache = new();
    private readonly ConcurrentDictionary<(string, string), byte> _refreshing = new();
    private readonly SemaphoreSlim _refreshes = new(4, 4);

    /// <param name="fresh">Look it up now (for a status frame) instead of using a kept answer.</param>
    public async Task<Owner?> OwnerAsync(string platform, string nativeId, bool fresh, CancellationToken ct)
    {
        if (!fresh && _cache.TryGetValue((platform, nativeId), out var cached))
        {
            if (cached.Until <= time.GetUtcNow() && _refreshing.TryAdd((platform, nativeId), 0))
            {
                _ = RefreshAsync(platform, nativeId);
            }
            return cached.Owner;
        }
        return await LookUpAsync(platform, nativeId, ct);
    }

    /// <summary>Forgets every answer (the upstream socket was reopened: status frames may have been missed).</summary>
    public void Forget() => _cache.Clear();

    /// <summary>Whether an answer is kept for the meeting (then <see cref="OwnerAsync"/> without <c>fresh</c> needs no query).</summary>
    public bool Knows(string platform, string nativeId) => _cache.ContainsKey((platform, nativeId));

    private async Task RefreshAsync(string platform, string nativeId)
    {
        await _refreshes.WaitAsync();
        try
        {
            await LookUpAsync(platform, nativeId, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the kept answer stays; the next frame tries again
        }
        finally
        {
            _refreshing.TryRemove((platform, nativeId), out _);
            _refreshes.Release();
        }
    }

    private async Task<Owner?> LookUpAsync(string platform, string nativeId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var newest = await db.Meetings.AsNoTracking()
            .Where(m => m.Platform == platform && m.NativeMeetingId == nativeId)
            .OrderByDescending(m => !MeetingStatus.Final.Contains(m.Status)).ThenByDescending(m => m.Id)
            .Select(m => new { m.UserId, m.Id, m.Status, m.UpdatedAt })
            .FirstOrDefaultAsync(ct);
        Owner? owner = newest is null ? null
            : MeetingStatus.IsLive(newest.Status) || newest.UpdatedAt > now.UtcDateTime - Afterglow ? new Owner(newest.UserId, newest.Id)
            : null;
        if (_cache.Count > 10_000)
        {
            _cache.Clear(); // a bound, not a policy: an entry is looked up again at most once
        }
        _cache[(platform, nativeId)] = (owner, now + Kept);
        return owner;
    }

    /// <summary>Whether the user has any meeting on (platform, native id): what a subscription needs.</summary>
    public async Task<bool> HasMeetingAsync(long userId, string platform, string nativeId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        return await db.Meetings.AnyAsync(m => m.UserId == userId && m.Platform == platform && m.NativeMeetingId == nativeId, ct);
    }
}
