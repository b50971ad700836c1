using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.BotManager.Services;

/// <summary>
/// <c>GET /bots/status</c>: every running bot of the Wholesaler's one (system) user, from the copy all replicas share
/// (<see cref="RunningBots"/>); the caller sees only those whose Wholesaler meeting we mapped to one of the caller's
/// meetings, rewritten to our ids.
/// </summary>
public sealed class BotStatusReader(RunningBots runningBots, VexaDbContext db)
{
    /// <returns>The caller's bots, and until when the copy they come from is every reader's (null: not to be kept).</returns>
    public async Task<(JsonObject Bots, DateTimeOffset? FreshUntil)> ReadAsync(long userId, CancellationToken ct)
    {
        var (issuer, running, freshUntil) = await runningBots.GetAsync(ct);

        var wholesalerIds = WholesalerBotJson.MeetingIds(running).ToList();
        var mine = await db.Meetings.AsNoTracking()
            .Where(m => m.UserId == userId && m.WholesalerIssuer == issuer && m.WholesalerMeetingId != null
                && wholesalerIds.Contains(m.WholesalerMeetingId.Value))
            .ToDictionaryAsync(m => m.WholesalerMeetingId!.Value, ct);

        var bots = new JsonArray();
        foreach (var bot in running)
        {
            if (WholesalerBotJson.MeetingId(bot) is { } id && mine.TryGetValue(id, out var meeting))
            {
                bots.Add(Rewrite(bot, meeting));
            }
        }
        return (new JsonObject { ["running_bots"] = bots }, freshUntil);
    }

    private static JsonObject Rewrite(JsonObject bot, Meeting meeting)
    {
        var ours = (JsonObject)bot.DeepClone();
        var ourId = meeting.Id.ToString(CultureInfo.InvariantCulture);
        var suffix = (bot["container_name"]?.GetValue<string>() ?? "").Split('-').LastOrDefault() ?? "";
        ours["container_name"] = $"vexa-bot-{ourId}-{suffix}";
        ours["meeting_id_from_name"] = ourId;
        ours["platform"] = meeting.Platform;
        ours["native_meeting_id"] = meeting.NativeMeetingId;
        ours["labels"] = new JsonObject { ["vexa.user_id"] = meeting.UserId.ToString(CultureInfo.InvariantCulture) };
        return ours;
    }
}
