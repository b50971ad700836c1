using System.Text.Json.Nodes;
using VexaService.Wholesaler;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// What the Wholesaler itself says about a meeting a callback named. A callback is only a hint (anyone who learns its
/// URL can post one), so the meeting is read back from the Wholesaler (its transcript answer, which also names the
/// issuer) before a status, a time or data from a callback reaches a row. Callbacks about the same meeting that arrive
/// together share one read (<see cref="ReadCoalescer{TKey,T}"/>); every read goes through the Wholesaler call budget.
/// </summary>
public sealed class CallbackReadBack(IServiceScopeFactory scopes)
{
    /// <param name="Meeting">The Wholesaler's meeting (status, times), without segments.</param>
    /// <param name="Issuer">Who answered (<see cref="WholesalerIdentity"/>): the meeting id is theirs.</param>
    /// <param name="Participants">The distinct speakers of its transcript, sorted (what Vexa's post-meeting task adds).</param>
    /// <param name="Languages">The distinct languages of its transcript, sorted.</param>
    /// <param name="Segments">Its transcript as the Wholesaler wrote it (shared by the callers of one read: not to be changed).</param>
    public sealed record Verified(JsonObject Meeting, string Issuer, List<string> Participants, List<string> Languages, JsonArray Segments);

    private readonly ReadCoalescer<(string, string, long), Verified?> _reads = new();

    /// <summary>Null when the Wholesaler holds no such meeting. Throws <see cref="WholesalerUnavailableException"/> when
    /// it cannot say.</summary>
    public Task<Verified?> ReadAsync(string platform, string nativeId, long wholesalerMeetingId) =>
        // Not the caller's token: the read may serve callers that came later.
        _reads.ReadAsync((platform, nativeId, wholesalerMeetingId), () => ReadOnceAsync(platform, nativeId, wholesalerMeetingId));

    private async Task<Verified?> ReadOnceAsync(string platform, string nativeId, long wholesalerMeetingId)
    {
        using var scope = scopes.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<WholesalerClient>();
        var answer = await client.GetTranscriptAsync(platform, nativeId, wholesalerMeetingId, CancellationToken.None);
        if (!answer.IsSuccess && answer.Status != StatusCodes.Status404NotFound)
        {
            // Refused (401, 403, 422...): the Wholesaler did not say the meeting is gone, so nothing is confirmed.
            throw new WholesalerUnavailableException(StatusCodes.Status502BadGateway,
                "The meeting service could not confirm the meeting. Please retry later.");
        }
        if (!answer.IsSuccess || answer.Body is not JsonObject meeting || WholesalerMeetingJson.Id(meeting) != wholesalerMeetingId)
        {
            return null;
        }
        var issuer = answer.Issuer;
        var all = meeting["segments"] as JsonArray ?? [];
        meeting.Remove("segments");
        var segments = all.OfType<JsonObject>().ToList();
        return new Verified(meeting, issuer, Distinct(segments, "speaker"), Distinct(segments, "language"), all);
    }

    private static List<string> Distinct(List<JsonObject> segments, string field) =>
        segments.Select(s => WholesalerMeetingJson.Text(s, field)).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)
            .Distinct().Order(StringComparer.Ordinal).ToList();
}
