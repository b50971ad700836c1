using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// A native id that passed from one of our meetings to another within <see cref="MeetingOwners.Afterglow"/>: the
/// Wholesaler's frames carry no meeting id (contract §14), so the ended meeting's late frames look like the new one's.
/// What reaches the new meeting's owner is what provably belongs to it: a <c>transcript.mutable</c> segment said after our
/// meeting was created (its <c>absolute_start_time</c>), no <c>transcript.finalized</c> frame (its segments carry only
/// times relative to a session: whose session cannot be told; the same segments came as mutable ones first, and
/// <c>GET /transcripts</c> has them), and a status only once the Wholesaler confirms it for the meeting we mapped
/// (<see cref="LiveRouter"/>).
/// </summary>
public static class LiveHandover
{
    /// <summary>The frame as the new meeting's owner may see it: the same bytes, fewer segments, or nothing (null).</summary>
    public static byte[]? TranscriptFor(byte[] utf8, DateTime since)
    {
        if (JsonNode.Parse(utf8) is not JsonObject frame || frame["type"]?.GetValue<string>() != "transcript.mutable"
            || frame["payload"]?["segments"] is not JsonArray segments)
        {
            return null;
        }
        var kept = segments.Where(segment => WholesalerMeetingJson.Time(segment?["absolute_start_time"]) is { } at && at >= since).Select(segment => segment!.DeepClone()).ToList();
        if (kept.Count == 0)
        {
            return null;
        }
        if (kept.Count == segments.Count)
        {
            return utf8;
        }
        frame["payload"]!["segments"] = new JsonArray([.. kept]);
        return JsonSerializer.SerializeToUtf8Bytes(frame);
    }

    /// <summary>Whether the Wholesaler's own answer about our mapped meeting bears out a status frame's status: it
    /// reports that status, or one further along the path (the frame is then late, but this meeting's).</summary>
    public static bool Confirms(string? confirmed, string? framed) =>
        confirmed is not null && framed is not null
        && (confirmed == framed || (MeetingStatus.Rank(confirmed) is { } truth && MeetingStatus.Rank(framed) is { } told && truth >= told));
}
