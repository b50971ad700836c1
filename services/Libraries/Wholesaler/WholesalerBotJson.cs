using System.Globalization;
using System.Text.Json.Nodes;

namespace VexaService.Wholesaler;

/// <summary>Reads one entry of the Wholesaler's <c>GET /bots/status</c> (a running bot container).</summary>
public static class WholesalerBotJson
{
    /// <summary>The Wholesaler meeting the container runs for, parsed from its name (Vexa says <c>"unknown"</c> when it cannot).</summary>
    public static long? MeetingId(JsonNode? bot) =>
        bot?["meeting_id_from_name"] is JsonValue v && v.TryGetValue<string>(out var s)
        && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The Wholesaler meeting ids that have a running bot.</summary>
    public static HashSet<long> MeetingIds(IEnumerable<JsonObject> bots) => bots.Select(MeetingId).OfType<long>().ToHashSet();
}
