using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;

namespace VexaService.BotManager.Services;

/// <summary>Looks up the Wholesaler's meetings (all of them belong to its one system user) against our mapping.</summary>
public sealed class OrphanFinder(VexaDbContext db, WholesalerClient wholesaler)
{
    public async Task<JsonObject?> FindByIdAsync(long wholesalerId, CancellationToken ct) =>
        (await wholesaler.ListMeetingsAsync(ct)).FirstOrDefault(m => WholesalerMeetingJson.Id(m) == wholesalerId);

    /// <summary>The newest live Wholesaler meeting for this platform and native id that no user of ours owns.</summary>
    public async Task<JsonObject?> FindUnownedLiveAsync(string platform, string nativeId, CancellationToken ct)
    {
        var candidates = (await wholesaler.ListMeetingsAsync(ct))
            .Where(m => m["platform"]?.GetValue<string>() == platform && m["native_meeting_id"]?.GetValue<string>() == nativeId
                && MeetingStatus.Live.Contains(WholesalerMeetingJson.Status(m)))
            .ToList();
        foreach (var candidate in candidates)
        {
            var id = WholesalerMeetingJson.Id(candidate);
            if (id is not null && !await db.Meetings.AnyAsync(m => m.WholesalerMeetingId == id, ct))
            {
                return candidate;
            }
        }
        return null;
    }
}
