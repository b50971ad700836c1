using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Caching;
using VexaService.Shared.Data;

namespace VexaService.Shared.Wholesaler;

/// <summary>
/// Brings our meeting up to what the Wholesaler pushed: a webhook (Transcripts) or a <c>meeting.status</c> frame of its
/// <c>/ws</c> (the gateway). A status only moves forward (<see cref="WholesalerMeetingJson.Follow"/>); a change is saved
/// with its owner's webhook events (<see cref="MeetingEventOutbox"/>, once per change whichever path saw it first) and
/// drops the transcript copies that showed the old state.
/// <para>
/// Pushes come concurrently (Vexa sends each webhook in the background, and a <c>/ws</c> frame may tell the same change
/// at the same moment), so each one reads and writes the row under its row lock, and the events go into the outbox in
/// the same transaction: two pushes never both start from the status they read. A push that names where the meeting
/// came from (<c>status_change.from</c>) ahead of our status means an earlier push is late or lost: the meeting is first
/// moved to that status, so the owner is told every change the Wholesaler told, in order.
/// </para>
/// </summary>
public sealed class MeetingFollower(VexaDbContext db, TranscriptCopies copies)
{
    /// <param name="reportedFrom">The status the Wholesaler says the meeting left (a status_change webhook), if it says.</param>
    /// <returns>Whether our row changed.</returns>
    public async Task<bool> FollowAsync(Meeting meeting, JsonNode reported, StatusTransition transition, CancellationToken ct,
        string? reportedFrom = null)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var changed = await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM meetings WHERE id = {meeting.Id} FOR UPDATE", ct);
            await db.Entry(meeting).ReloadAsync(ct);
            var changed = false;
            if (IsMissedStep(reportedFrom, WholesalerMeetingJson.Status(reported), meeting.Status))
            {
                db.Transition = StatusTransition.Wholesaler; // the missed push's reason is not known
                meeting.Status = reportedFrom!;
                meeting.UpdatedAt = DateTime.UtcNow;
                await db.SaveChangesAsync(ct);
                changed = true;
            }
            db.Transition = transition;
            if (WholesalerMeetingJson.Follow(reported, meeting))
            {
                await db.SaveChangesAsync(ct);
                changed = true;
            }
            await tx.CommitAsync(ct);
            return changed;
        });
        if (!changed)
        {
            return false; // a repeated or stale report
        }
        if (MeetingStatus.IsFinal(meeting.Status))
        {
            await copies.DropAsync(meeting); // a fresh, final transcript is fetched (and cached) on next read
        }
        else
        {
            await copies.DropLiveAsync(meeting.Id); // the next read shows the new status
        }
        return true;
    }

    /// <summary>
    /// Whether a push from <paramref name="from"/> to <paramref name="to"/> skips a change we never heard of: both are
    /// on the known path, in order, and <paramref name="from"/> is ahead of <paramref name="ours"/>. (An unknown status
    /// has no place on the path, so nothing is inferred from one.)
    /// </summary>
    public static bool IsMissedStep(string? from, string? to, string ours) =>
        MeetingStatus.Rank(from) is { } left && MeetingStatus.Rank(to) is { } right && left < right
        && MeetingStatus.Rank(ours) is { } mine && mine < left;
}
