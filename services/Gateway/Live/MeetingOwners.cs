using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Data;

namespace VexaService.Gateway.Live;

/// <summary>
/// Which of our users a Wholesaler frame for (platform, native id) belongs to. Frames carry no meeting id (contract
/// §14): they belong to our meeting live on that native id (one at most, across all users), or, when none is live, to
/// the newest one if it ended less than <see cref="Afterglow"/> ago (its last segments still arrive); otherwise to
/// nobody. A meeting's frames begin with its statuses (the Wholesaler reports <c>joining</c> before any segment), so
/// status frames are looked up afresh, and transcript frames use the last answer for up to <see cref="Kept"/>: a native
/// id passing to another user is seen at that user's first status frame, and segments cost no query. (With the answer
/// kept one second, 200 watched meetings cost 200 queries a second, made one after the other on the upstream socket's
/// reader: frames waited seconds behind them.)
/// </summary>
public sealed class MeetingOwners(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan Afterglow = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Kept = TimeSpan.FromSeconds(30);

    public readonly record struct Owner(long UserId, long MeetingId);

    private readonly ConcurrentDictionary<(string, string), (Owner? Owner, DateTimeOffset Until)> _cache = new();

    /// <param name="fresh">Look it up now (for a status frame) instead of using a kept answer.</param>
    public async Task<Owner?> OwnerAsync(string platform, string nativeId, bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!fresh && _cache.TryGetValue((platform, nativeId), out var cached) && cached.Until > now)
        {
            return cached.Owner;
        }
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
