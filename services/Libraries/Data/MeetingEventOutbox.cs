using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using VexaService.Contracts;

namespace VexaService.Data;

/// <summary>
/// Wherever a meeting's status changes (the Wholesaler's webhooks, the follower's poll, a stop or a transcript read that
/// learns it, a bot found gone), its owner's webhook events go into the outbox as part of that save, before the status
/// is written: a crash between the two leaves the events queued and the meeting as it was, which the follower moves
/// again, never a change whose owner is not told.
/// <list type="bullet">
/// <item><c>meeting.status_change</c> (Vexa's §15 shape, our ids) for every change, when the owner chose that event.</item>
/// <item>The completion webhook (the meeting itself, Vexa's §8) when the meeting becomes <c>completed</c> or
/// <c>failed</c>, unless the owner chose events without it. Like Vexa, a launch that ended in <c>error</c> sends none.</item>
/// </list>
/// A status is reached at most once (<c>WholesalerMeetingJson.Follow</c> never goes back), and the outbox's unique
/// (meeting, event key) makes the insert a no-op for the second of two paths that learn the same change at once (a
/// transcript read racing the Wholesaler's webhook), so each change is told once and neither path fails. Rows are
/// delivered in id order per meeting, so the events of one meeting arrive in the order they happened.
/// </summary>
public sealed class MeetingEventOutbox : SaveChangesInterceptor
{
    public static readonly MeetingEventOutbox Instance = new();

    /// <summary>The outbox key of the completion webhook (<c>meeting.completed</c> or <c>meeting.failed</c>).</summary>
    public static string CompletionKey(string status) => $"meeting.{status}";

    public static string StatusChangeKey(string status) => $"{WebhookEvents.StatusChange}:{status}";

    /// <summary>Which event an outbox key belongs to, as users name events.</summary>
    public static string EventOf(string eventKey) =>
        eventKey.StartsWith(WebhookEvents.StatusChange + ":", StringComparison.Ordinal) ? WebhookEvents.StatusChange
        : eventKey.StartsWith("meeting.", StringComparison.Ordinal) ? WebhookEvents.Completed
        : eventKey;

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is VexaDbContext db)
        {
            foreach (var insert in Inserts(db))
            {
                await db.Database.ExecuteSqlInterpolatedAsync(insert, cancellationToken);
            }
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is VexaDbContext db)
        {
            foreach (var insert in Inserts(db))
            {
                db.Database.ExecuteSqlInterpolated(insert);
            }
        }
        return result;
    }

    private static List<FormattableString> Inserts(VexaDbContext db)
    {
        db.ChangeTracker.DetectChanges(); // SaveChanges detects changes only after this hook
        var inserts = new List<FormattableString>();
        foreach (var entry in db.ChangeTracker.Entries<Meeting>().Where(e => e.State == EntityState.Modified))
        {
            var from = entry.Property(m => m.Status).OriginalValue;
            var meeting = entry.Entity;
            if (from == meeting.Status)
            {
                continue;
            }
            var transition = db.Transition ?? throw new InvalidOperationException(
                $"Meeting {meeting.Id}'s status changed from '{from}' to '{meeting.Status}' outside MeetingStatusWriter: its owner's events would be lost or mislabelled.");
            inserts.Add(Insert(meeting, StatusChangeKey(meeting.Status), StatusChangePayload(entry, from, transition), optIn: true));
            if (meeting.Status is MeetingStatus.Completed or MeetingStatus.Failed && !MeetingStatus.IsFinal(from))
            {
                inserts.Add(Insert(meeting, CompletionKey(meeting.Status),
                    JsonSerializer.Serialize(meeting.ToResponse(), VexaJson.Options), optIn: false));
            }
        }
        return inserts;
    }

    /// <summary>Vexa's §15 body, with our meeting (our ids) as it is after the change.</summary>
    private static string StatusChangePayload(EntityEntry<Meeting> entry, string from, StatusTransition transition)
    {
        var body = new JsonObject
        {
            ["event_type"] = WebhookEvents.StatusChange,
            ["meeting"] = JsonSerializer.SerializeToNode(entry.Entity.ToResponse(), VexaJson.Options),
            ["status_change"] = new JsonObject
            {
                ["from"] = from,
                ["to"] = entry.Entity.Status,
                ["reason"] = transition.Reason,
                ["timestamp"] = JsonSerializer.SerializeToNode(DateTime.UtcNow, VexaJson.Options),
                ["transition_source"] = transition.Source,
            },
        };
        return body.ToJsonString(VexaJson.Options);
    }

    /// <param name="optIn">True: queued only for owners who chose the event. False: queued unless the owner chose
    /// events without it (the completion webhook, which Vexa always sends).</param>
    private static FormattableString Insert(Meeting meeting, string eventKey, string payload, bool optIn)
    {
        var eventName = EventOf(eventKey);
        var now = DateTime.UtcNow;
        return $"""
            INSERT INTO webhook_deliveries (meeting_id, user_id, event_key, payload, status, attempts, next_attempt_at, created_at)
            SELECT {meeting.Id}, {meeting.UserId}, {eventKey}, {payload}, {WebhookDeliveryStatus.Pending}, 0, {now}, {now}
            FROM users u
            WHERE u.id = {meeting.UserId}
              AND CASE WHEN jsonb_typeof(u.data -> 'webhook_events') = 'array' THEN jsonb_exists(u.data -> 'webhook_events', {eventName})
                       ELSE NOT {optIn} END
            ON CONFLICT (meeting_id, event_key) DO NOTHING
            """;
    }
}
