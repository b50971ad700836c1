using System.Text.Json.Nodes;
using VexaService.Data;

namespace VexaService.Wholesaler;

/// <summary>
/// Brings our meeting up to what the Wholesaler pushed: a webhook (Transcripts) or a <c>meeting.status</c> frame of its
/// <c>/ws</c> (the gateway). A status only moves forward (<see cref="WholesalerMeetingJson.Follow"/>); a change is saved
/// with its owner's webhook events (<see cref="MeetingEventOutbox"/>, once per change whichever path saw it first) and
/// drops the transcript copies that showed the old state.
/// <para>
/// Pushes come concurrently (Vexa sends each webhook in the background, and a <c>/ws</c> frame may tell the same change
/// at the same moment), so each one goes through the <see cref="MeetingStatusWriter"/>: two pushes never both start
/// from the status they read. A push that names where the meeting
/// came from (<c>status_change.from</c>) ahead of our status means an earlier push is late or lost: the meeting is first
/// moved to that status, so the owner is told every change the Wholesaler told, in order.
/// </para>
/// </summary>
public sealed class MeetingFollower(MeetingStatusWriter writer)
{
    /// <param name="reportedFrom">The status the Wholesaler says the meeting left (a status_change webhook), if it says.</param>
    /// <returns>Whether our row changed.</returns>
    public Task<bool> FollowAsync(Meeting meeting, JsonNode reported, StatusTransition transition, CancellationToken ct,
        string? reportedFrom = null) =>
        writer.ApplyAsync(meeting, ct,
            // The missed push's reason is not known.
            new MeetingStatusWriter.Change(StatusTransition.Wholesaler, row =>
            {
                if (!IsMissedStep(reportedFrom, WholesalerMeetingJson.Status(reported), row.Status))
                {
                    return false;
                }
                row.Status = reportedFrom!;
                row.UpdatedAt = DateTime.UtcNow;
                return true;
            }),
            new MeetingStatusWriter.Change(transition, row => WholesalerMeetingJson.Follow(reported, row)));

    /// <summary>
    /// Whether a push from <paramref name="from"/> to <paramref name="to"/> skips a change we never heard of: both are
    /// on the known path, in order, and <paramref name="from"/> is ahead of <paramref name="ours"/>. (An unknown status
    /// has no place on the path, so nothing is inferred from one.)
    /// </summary>
    public static bool IsMissedStep(string? from, string? to, string ours) =>
        MeetingStatus.Rank(from) is { } left && MeetingStatus.Rank(to) is { } right && left < right
        && MeetingStatus.Rank(ours) is { } mine && mine < left;
}
