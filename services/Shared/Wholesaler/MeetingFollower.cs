using System.Text.Json.Nodes;
using VexaService.Shared.Caching;
using VexaService.Shared.Data;

namespace VexaService.Shared.Wholesaler;

/// <summary>
/// Brings our meeting up to what the Wholesaler pushed: a webhook (Transcripts) or a <c>meeting.status</c> frame of its
/// <c>/ws</c> (the gateway). A status only moves forward (<see cref="WholesalerMeetingJson.Follow"/>); a change is saved
/// with its owner's webhook events (<see cref="MeetingEventOutbox"/>, once per change whichever path saw it first) and
/// drops the transcript copies that showed the old state.
/// </summary>
public sealed class MeetingFollower(VexaDbContext db, TranscriptCopies copies)
{
    /// <returns>Whether our row changed.</returns>
    public async Task<bool> FollowAsync(Meeting meeting, JsonNode reported, StatusTransition transition, CancellationToken ct)
    {
        db.Transition = transition;
        if (!WholesalerMeetingJson.Follow(reported, meeting))
        {
            return false; // a repeated or stale report
        }
        await db.SaveChangesAsync(ct);
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
}
