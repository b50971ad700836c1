using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;

namespace VexaService.Transcripts.Services;

/// <summary>
/// Deletes a finished meeting of ours and, where that is safe, its Wholesaler copy. The Wholesaler deletes by native id
/// its *newest* meeting, which may belong to another of our users; so it is asked only when our mapped meeting is
/// that newest one. Otherwise the Wholesaler keeps a copy that no user of ours can reach any more.
/// </summary>
public sealed class MeetingRemoval(WholesalerClient wholesaler, MeetingStore store, TranscriptStore transcripts,
    ILogger<MeetingRemoval> logger)
{
    public async Task RemoveAsync(Meeting meeting, CancellationToken ct)
    {
        if (meeting.WholesalerMeetingId is { } wholesalerId)
        {
            var newest = await wholesaler.GetMeetingAsync(meeting.Platform, meeting.NativeMeetingId, null, ct);
            if (WholesalerMeetingJson.Id(newest) == wholesalerId && wholesaler.Issuer == meeting.WholesalerIssuer)
            {
                await wholesaler.DeleteMeetingAsync(meeting.Platform, meeting.NativeMeetingId, ct);
            }
            else
            {
                logger.LogInformation("Meeting {MeetingId}: the Wholesaler's copy is not its newest for this native id; left there", meeting.Id);
            }
        }
        await store.DeleteAsync(meeting);
        await transcripts.DropAsync(meeting);
    }
}
