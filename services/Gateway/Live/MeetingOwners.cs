using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.Gateway.Live;

/// <summary>
/// Which of our users a Wholesaler frame for (platform, native id) belongs to. Frames carry no meeting id (contract
/// §14): they belong to our meeting live on that native id (one at most, across all users), or, when none is live, to
/// the newest one if it ended less than <see cref="Afterglow"/> ago (its last segments still arrive); otherwise to
/// nobody. A meeting's frames begin with its statuses (the Wholesaler reports <c>joining</c> before any segment), so
/// status frames are looked up afresh: a native id passing to another user is seen at that user's first status frame.
/// Transcript frames use the last answer; one older than <see cref="Kept"/> (a safety net for a status frame that never
/// came) is looked up again in the background while the frames keep flowing, all that are due in one query. Only the
/// first frame of a meeting waits for a query. (Looked up in line once a second, 200 watched meetings cost 200 queries a
/// second on the upstream socket's reader, and frames waited seconds behind them; kept 30 s, the lookups of meetings
/// subscribed together fell due together and stalled the reader 2 s.)
/// </summary>
public sealed class MeetingOwners(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan Afterglow = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Kept = TimeSpan.FromSeconds(5);

    /// <param name="Since">When our meeting was created: nothing of it was said before.</param>
    /// <param name="AfterHandover">Another meeting on this native id ended within <see cref="Afterglow"/>: its late frames
    /// (the Wholesaler's frames carry no meeting id) may still arrive, and must not reach this meeting's owner or move its
    /// row (<see cref="LiveHandover"/>).</param>
    public readonly record struct Owner(long UserId, long MeetingId, DateTime Since = default, bool AfterHandover = false);

    private readonly ConcurrentDictionary<(string Platform, string NativeId), (Owner? Owner, DateTimeOffset Until)> _cache = new();
    // Kept answers that are due, looked up again together by one query (RefreshDueAsync): meetings subscribed together
    // fall due together, and 200 of them looked up one by one every Kept were a burst of 200 queries that showed in the
    // relay's p99.
    private readonly ConcurrentDictionary<(string Platform, string NativeId), byte> _due = new();
    private int _refreshing;

    /// <param name="fresh">Look it up now (for a status frame) instead of using a kept answer.</param>
    public async Task<Owner?> OwnerAsync(string platform, string nativeId, bool fresh, CancellationToken ct)
    {
        if (!fresh && _cache.TryGetValue((platform, nativeId), out var cached))
        {
            if (cached.Until <= time.GetUtcNow() && _due.TryAdd((platform, nativeId), 0))
            {
                StartRefresh();
            }
            return cached.Owner;
        }
        return (await LookUpAsync([(platform, nativeId)], ct))[(platform, nativeId)];
    }

    /// <summary>The meeting a Vexa 0.12 frame names by its Wholesaler id: exactly that one, whatever else lives on its
    /// native id, with what its segments' epoch times are counted from.</summary>
    public sealed record Named(Owner Owner, string Platform, string NativeId, DateTime? StartTime);

    private readonly ConcurrentDictionary<(string Issuer, long WholesalerId), (Named? Named, DateTimeOffset Until)> _named = new();

    /// <summary>Our meeting that the Wholesaler's id names, or null when it names none of ours. An answer is kept for
    /// <see cref="Kept"/> (a meeting's start is learnt as it becomes active), a second while it has no start yet.</summary>
    public async Task<Named?> NamedAsync(string issuer, long wholesalerId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_named.TryGetValue((issuer, wholesalerId), out var kept) && kept.Until > now)
        {
            return kept.Named;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var named = await db.Meetings.AsNoTracking()
            .Where(m => m.WholesalerMeetingId == wholesalerId && m.WholesalerIssuer == issuer)
            .Select(m => new Named(new Owner(m.UserId, m.Id, m.CreatedAt, false), m.Platform, m.NativeMeetingId, m.StartTime))
            .FirstOrDefaultAsync(ct);
        if (_named.Count > 10_000)
        {
            _named.Clear(); // a bound, as the native ids' answers have
        }
        _named[(issuer, wholesalerId)] = (named, now + (named is { StartTime: null } ? TimeSpan.FromSeconds(1) : Kept));
        return named;
    }

    /// <summary>Forgets every answer (the upstream socket was reopened: status frames may have been missed).</summary>
    public void Forget() => _cache.Clear();

    /// <summary>Whether an answer is kept for the meeting (then <see cref="OwnerAsync"/> without <c>fresh</c> needs no query).</summary>
    public bool Knows(string platform, string nativeId) => _cache.ContainsKey((platform, nativeId));

    private void StartRefresh()
    {
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = RefreshDueAsync();
        }
    }

    private async Task RefreshDueAsync()
    {
        await Task.Yield(); // off the frame's path
        while (true)
        {
            while (!_due.IsEmpty)
            {
                var keys = _due.Keys.ToList();
                try
                {
                    await LookUpAsync(keys, CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The kept answers stay, due again in a second.
                    var retry = time.GetUtcNow() + TimeSpan.FromSeconds(1);
                    foreach (var key in keys)
                    {
                        if (_cache.TryGetValue(key, out var kept))
                        {
                            _cache.TryUpdate(key, (kept.Owner, retry), kept);
                        }
                    }
                }
                foreach (var key in keys)
                {
                    _due.TryRemove(key, out _);
                }
            }
            Volatile.Write(ref _refreshing, 0);
            // A key that fell due after the last look and before the flag was cleared would otherwise wait.
            if (_due.IsEmpty || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Looks the meetings up in one query, keeps the answers, and returns them.</summary>
    private async Task<Dictionary<(string Platform, string NativeId), Owner?>> LookUpAsync(
        IReadOnlyCollection<(string Platform, string NativeId)> keys, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var nativeIds = keys.Select(k => k.NativeId).Distinct().ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        // The newest meeting on each native id, a live one first (one at most is live).
        var newest = await db.Meetings.AsNoTracking()
            .Where(m => nativeIds.Contains(m.NativeMeetingId))
            .GroupBy(m => new { m.Platform, m.NativeMeetingId })
            .Select(g => g.OrderByDescending(m => !MeetingStatus.Final.Contains(m.Status)).ThenByDescending(m => m.Id)
                .Select(m => new { m.Platform, m.NativeMeetingId, m.UserId, m.Id, m.Status, m.CreatedAt, m.UpdatedAt }).First())
            .ToDictionaryAsync(m => (m.Platform, m.NativeMeetingId), ct);
        // Live meetings that took their native id over from one that ended within the afterglow.
        var liveIds = newest.Values.Where(m => MeetingStatus.IsLive(m.Status)).Select(m => m.Id).ToList();
        var afterglowStart = now.UtcDateTime - Afterglow;
        var handedOver = liveIds.Count == 0 ? [] : (await db.Meetings.AsNoTracking()
            .Where(m => nativeIds.Contains(m.NativeMeetingId) && !liveIds.Contains(m.Id)
                && MeetingStatus.Final.Contains(m.Status) && m.UpdatedAt > afterglowStart)
            .Select(m => new { m.Platform, m.NativeMeetingId }).Distinct().ToListAsync(ct))
            .Select(m => (m.Platform, m.NativeMeetingId)).ToHashSet();
        if (_cache.Count > 10_000)
        {
            _cache.Clear(); // a bound, not a policy: an entry is looked up again at most once
        }
        var answers = new Dictionary<(string Platform, string NativeId), Owner?>();
        foreach (var key in keys)
        {
            var meeting = newest.GetValueOrDefault(key);
            Owner? owner = meeting is null ? null
                : MeetingStatus.IsLive(meeting.Status) ? new Owner(meeting.UserId, meeting.Id, meeting.CreatedAt, handedOver.Contains(key))
                : meeting.UpdatedAt > afterglowStart ? new Owner(meeting.UserId, meeting.Id, meeting.CreatedAt)
                : null;
            _cache[key] = (owner, now + Kept);
            answers[key] = owner;
        }
        return answers;
    }

    /// <summary>Which of the meetings the user has (any meeting on the platform and native id): what a subscription
    /// needs, for all of a subscribe's meetings in one query.</summary>
    public async Task<HashSet<(string Platform, string NativeId)>> OwnedAsync(long userId,
        IReadOnlyCollection<(string Platform, string NativeId)> meetings, CancellationToken ct)
    {
        if (meetings.Count == 0)
        {
            return [];
        }
        var nativeIds = meetings.Select(m => m.NativeId).Distinct().ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var found = await db.Meetings.AsNoTracking()
            .Where(m => m.UserId == userId && nativeIds.Contains(m.NativeMeetingId))
            .Select(m => new { m.Platform, m.NativeMeetingId }).Distinct().ToListAsync(ct);
        return [.. found.Select(m => (m.Platform, m.NativeMeetingId)).Where(meetings.Contains)];
    }
}
