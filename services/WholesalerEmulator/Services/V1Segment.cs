using System.Globalization;
using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>A segment as Vexa 0.12's bot writes it (REST and <c>/ws</c> alike): <c>start</c>/<c>end</c> in epoch seconds,
/// a <c>segment_id</c> (<c>{meeting}:{index}</c> here), <c>completed</c>, absolute times in <c>Z</c>, no <c>created_at</c>.</summary>
public static class V1Segment
{
    public static JsonObject Of(TranscriptSegment segment, long meetingId, int k)
    {
        var start = DateTimeOffset.Parse(segment.AbsoluteStartTime, CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(segment.AbsoluteEndTime, CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["start"] = Math.Round(start.ToUnixTimeMilliseconds() / 1000.0, 3),
            ["end"] = Math.Round(end.ToUnixTimeMilliseconds() / 1000.0, 3),
            ["text"] = segment.Text,
            ["language"] = segment.Language,
            ["speaker"] = segment.Speaker,
            ["completed"] = segment.CreatedAt is not null,
            ["segment_id"] = Id(meetingId, k),
            ["absolute_start_time"] = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["absolute_end_time"] = end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
    }

    public static string Id(long meetingId, int k) => string.Create(CultureInfo.InvariantCulture, $"{meetingId}:{k}");
}
