using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;

namespace VexaService.Transcripts.Services;

/// <summary>
/// Before meetings are shown, live ones take the Wholesaler's current status (so a bot that has left shows as
/// completed and frees its quota slot before its webhook arrives). A Wholesaler outage only means the stored status is shown.
/// </summary>
public sealed class MeetingStatusSync(WholesalerClient wholesaler, MeetingStore store, ILogger<MeetingStatusSync> logger)
{
    public async Task RefreshAsync(IReadOnlyList<Meeting> meetings, CancellationToken ct)
    {
        var live = meetings.Where(m => m.WholesalerMeetingId is not null && MeetingStatus.Live.Contains(m.Status)).ToList();
        if (live.Count == 0)
        {
            return;
        }
        try
        {
            // A meeting whose bot still runs is active or stopping at the Wholesaler, as we recorded when we started or
            // stopped it; only the others (their bot left) need the Wholesaler's whole, ever-growing meeting list.
            var running = WholesalerBotJson.MeetingIds(await wholesaler.ListRunningBotsAsync(ct));
            // Rows mapped by another Wholesaler are not looked up here (their ids name other meetings); the
            // reconciler marks them failed.
            var left = live.Where(m => m.WholesalerIssuer == wholesaler.Issuer && !running.Contains(m.WholesalerMeetingId!.Value)).ToList();
            if (left.Count == 0)
            {
                return;
            }
            var theirs = WholesalerMeetingJson.ById(await wholesaler.ListMeetingsAsync(ct));
            var changed = false;
            foreach (var meeting in left)
            {
                if (theirs.TryGetValue(meeting.WholesalerMeetingId!.Value, out var current))
                {
                    store.Track(meeting); // listed untracked: attached before it changes, so the change is saved
                    changed |= WholesalerMeetingJson.Follow(current, meeting);
                }
            }
            if (changed)
            {
                await store.SaveAsync();
            }
        }
        catch (WholesalerUnavailableException e)
        {
            logger.LogInformation("Showing stored meeting statuses; the Wholesaler is unavailable ({Status})", e.Status);
        }
    }
}
