using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using VexaService.Shared.Api;
using VexaService.Shared.Json;

namespace VexaService.Shared.Data;

/// <summary>
/// Wherever a meeting becomes <c>completed</c> or <c>failed</c> (the Wholesaler's webhook, the follower's poll, a stop
/// or a transcript read that learns it, a bot found gone), its owner's completion webhook goes into the outbox as part of
/// that save, before the status is written: a crash between the two leaves the event queued and the meeting live, which
/// the follower finishes again, never a final meeting whose owner is not told. A final status is never left
/// (<c>WholesalerMeetingJson.Follow</c>), and the outbox's unique (meeting, event) makes the insert a no-op for the second
/// of two paths that learn the same end at once (a transcript read racing the Wholesaler's webhook), so each meeting is
/// told once and neither path fails. Like Vexa, a launch that ended in <c>error</c> sends nothing.
/// </summary>
public sealed class CompletionOutbox : SaveChangesInterceptor
{
    public static readonly CompletionOutbox Instance = new();

    public static string EventKey(string status) => $"meeting.{status}";

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is VexaDbContext db)
        {
            foreach (var meeting in Finished(db))
            {
                await db.Database.ExecuteSqlInterpolatedAsync(Insert(meeting), cancellationToken);
            }
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is VexaDbContext db)
        {
            foreach (var meeting in Finished(db))
            {
                db.Database.ExecuteSqlInterpolated(Insert(meeting));
            }
        }
        return result;
    }

    /// <summary>Meetings this save takes from a live status to <c>completed</c> or <c>failed</c>.</summary>
    private static List<Meeting> Finished(VexaDbContext db)
    {
        db.ChangeTracker.DetectChanges(); // SaveChanges detects changes only after this hook
        return db.ChangeTracker.Entries<Meeting>()
            .Where(e => e.State == EntityState.Modified
                && e.Entity.Status is MeetingStatus.Completed or MeetingStatus.Failed
                && !MeetingStatus.IsFinal(e.Property(m => m.Status).OriginalValue))
            .Select(e => e.Entity)
            .ToList();
    }

    private static FormattableString Insert(Meeting meeting)
    {
        var payload = JsonSerializer.Serialize(MeetingResponse.From(meeting), VexaJson.Options);
        var now = DateTime.UtcNow;
        return $"""
            INSERT INTO webhook_deliveries (meeting_id, user_id, event_key, payload, status, attempts, next_attempt_at, created_at)
            VALUES ({meeting.Id}, {meeting.UserId}, {EventKey(meeting.Status)}, {payload}, {WebhookDeliveryStatus.Pending}, 0, {now}, {now})
            ON CONFLICT (meeting_id, event_key) DO NOTHING
            """;
    }
}
