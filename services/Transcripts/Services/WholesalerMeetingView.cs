using System.Globalization;
using System.Text.Json.Nodes;
using VexaService.Shared.Data;

namespace VexaService.Transcripts.Services;

/// <summary>Reads a Wholesaler meeting (MeetingResponse or transcript header) and carries its state onto our row.</summary>
public static class WholesalerMeetingView
{
    public static long? Id(JsonNode? meeting) => meeting?["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : null;

    public static string? Status(JsonNode? meeting) => meeting?["status"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Our meeting status follows the Wholesaler's; returns whether anything changed.</summary>
    public static bool Follow(JsonNode wholesaler, Meeting ours)
    {
        var status = Status(wholesaler);
        var end = Time(wholesaler["end_time"]);
        var start = Time(wholesaler["start_time"]);
        if (status is null || (status == ours.Status && end == ours.EndTime && (start is null || start == ours.StartTime)))
        {
            return false;
        }
        ours.Status = status;
        ours.EndTime = end ?? ours.EndTime;
        ours.StartTime = start ?? ours.StartTime;
        ours.UpdatedAt = DateTime.UtcNow;
        return true;
    }

    public static DateTime? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s)
        && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
}
