using System.Globalization;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.AdminApi.Services;

/// <summary>
/// Bot time per user over UTC days, from <see cref="MeetingUsage"/>: each meeting from its bot's start to its end (or
/// now while it runs), cut at the range's edges and at midnight UTC. Deleted meetings still count (and are counted as
/// deleted); a start that never began (refused by the Wholesaler, or failed before the bot joined) costs nothing and is
/// counted as a failed start.
/// </summary>
public sealed class UsageReport(VexaDbContext db, TimeProvider time)
{
    public sealed record Range(DateOnly From, DateOnly To)
    {
        public DateTime Start => From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        public DateTime End => To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    }

    /// <summary>One user's usage, with the meetings it is made of.</summary>
    /// <param name="GrowsWithTime">A bot of the user's is running within the range: its time (the report) grows by the
    /// second, even before it shows (a line of 0 seconds is left out).</param>
    public sealed record UserUsage(long UserId, IReadOnlyList<MeetingLine> Meetings, int FailedStarts, bool GrowsWithTime = false)
    {
        public long BotSeconds => Meetings.Sum(m => m.BotSeconds);
    }

    public sealed record MeetingLine(MeetingUsage Meeting, long BotSeconds, IReadOnlyDictionary<DateOnly, long> SecondsByDay);

    /// <summary>Every user's usage in <paramref name="range"/> (only users with any), or one user's.</summary>
    public async Task<List<UserUsage>> ReadAsync(Range range, long? userId, CancellationToken ct)
    {
        var (start, end) = (range.Start, range.End);
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await db.MeetingUsage.AsNoTracking()
            .Where(u => userId == null || u.UserId == userId)
            .Where(u => (u.StartTime != null && u.StartTime < end && (u.EndTime == null || u.EndTime > start))
                || (u.StartTime == null && u.CreatedAt >= start && u.CreatedAt < end))
            .OrderBy(u => u.MeetingId)
            .ToListAsync(ct);
        return rows.GroupBy(u => u.UserId).OrderBy(g => g.Key).Select(g => new UserUsage(
                g.Key,
                g.Where(u => u.StartTime is not null).Select(u => Line(u, start, end, now)).Where(l => l.BotSeconds > 0).ToList(),
                g.Count(u => u.StartTime is null && MeetingStatus.IsFinal(u.Status)),
                g.Any(u => u.StartTime is not null && u.EndTime is null && !MeetingStatus.IsFinal(u.Status))))
            .ToList();
    }

    private static MeetingLine Line(MeetingUsage meeting, DateTime start, DateTime end, DateTime now)
    {
        var from = Max(meeting.StartTime!.Value, start);
        var until = Min(meeting.EndTime ?? (MeetingStatus.IsFinal(meeting.Status) ? meeting.StartTime.Value : now), end);
        var byDay = new SortedDictionary<DateOnly, long>();
        for (var cursor = from; cursor < until;)
        {
            var day = DateOnly.FromDateTime(cursor);
            var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var stop = Min(midnight, until);
            byDay[day] = (long)Math.Round((stop - cursor).TotalSeconds);
            cursor = stop;
        }
        return new MeetingLine(meeting, byDay.Values.Sum(), byDay);
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>Minutes to two decimals, as bills show them.</summary>
    public static double Minutes(long seconds) => Math.Round(seconds / 60.0, 2);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
