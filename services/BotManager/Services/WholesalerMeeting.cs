using System.Text.Json.Nodes;
using VexaService.Shared.Data;

namespace VexaService.BotManager.Services;

/// <summary>Reads the Wholesaler's MeetingResponse fields we keep on our own row.</summary>
public static class WholesalerMeeting
{
    public static long? Id(JsonNode? meeting) =>
        meeting?["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : null;

    public static string? Status(JsonNode? meeting) =>
        meeting?["status"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Copies the Wholesaler's view (id, status, container, times) onto our row.</summary>
    public static void ApplyTo(JsonNode wholesaler, Meeting ours)
    {
        ours.WholesalerMeetingId = Id(wholesaler) ?? ours.WholesalerMeetingId;
        ours.Status = Status(wholesaler) ?? ours.Status;
        ours.BotContainerId = wholesaler["bot_container_id"]?.GetValue<string>() ?? ours.BotContainerId;
        ours.StartTime = Time(wholesaler["start_time"]) ?? ours.StartTime;
        ours.EndTime = Time(wholesaler["end_time"]) ?? ours.EndTime;
        ours.UpdatedAt = DateTime.UtcNow;
    }

    /// <summary>Vexa's datetimes are naive ISO strings in UTC.</summary>
    private static DateTime? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
}
