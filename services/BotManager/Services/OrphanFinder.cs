using Microsoft.EntityFrameworkCore;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.BotManager.Services;

/// <summary>
/// Finds a running Wholesaler bot (all belong to its one system user) that no user of ours owns: a start whose
/// completion was lost. Looks only at the running bots and one meeting, never at the Wholesaler's whole history.
/// </summary>
public sealed class OrphanFinder(VexaDbContext db, WholesalerClient wholesaler)
{
    /// <summary>The newest such bot for this platform and native id, as the Wholesaler's meeting (with its container id).</summary>
    public async Task<WholesalerMeeting?> FindUnownedLiveAsync(string platform, string nativeId, CancellationToken ct)
    {
        var (running, issuer) = await wholesaler.ListRunningBotsAsync(ct);
        var candidates = running
            .Where(b => WholesalerMeetingJson.Text(b, "platform") == platform && WholesalerMeetingJson.Text(b, "native_meeting_id") == nativeId)
            .OrderByDescending(WholesalerBotJson.MeetingId);
        foreach (var bot in candidates)
        {
            if (WholesalerBotJson.MeetingId(bot) is { } id
                && !await db.Meetings.AnyAsync(m => m.WholesalerIssuer == issuer && m.WholesalerMeetingId == id, ct)
                && await wholesaler.GetMeetingAsync(platform, nativeId, id, ct) is { } meeting && meeting.Issuer == issuer)
            {
                meeting.Meeting["bot_container_id"] = WholesalerMeetingJson.Text(bot, "container_id");
                return meeting;
            }
        }
        return null;
    }
}
