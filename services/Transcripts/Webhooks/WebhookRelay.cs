using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VexaService.Shared.Api;
using VexaService.Shared.Data;
using VexaService.Shared.Json;
using VexaService.Shared.Wholesaler;
using VexaService.Transcripts.Services;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Receives the Wholesaler's completion webhook: finds which of our users owns the meeting, brings our row up to date
/// (freeing the quota slot) and writes the rewritten event to the outbox, all in one transaction. Delivery is the
/// <see cref="WebhookDispatcher"/>'s job, so nothing is lost if we crash after answering.
/// </summary>
public sealed class WebhookRelay(VexaDbContext db, TranscriptStore transcripts, ILogger<WebhookRelay> logger)
{
    public enum Outcome { Queued, Duplicate, UnknownMeeting }

    /// <param name="issuer">Who sent it (<see cref="WholesalerIdentity"/>): its meeting ids mean something only to it.</param>
    public async Task<Outcome> AcceptAsync(JsonObject payload, string issuer, CancellationToken ct)
    {
        var wholesalerId = WholesalerMeetingJson.Id(payload);
        var meeting = wholesalerId is null ? null
            : await db.Meetings.FirstOrDefaultAsync(m => m.WholesalerIssuer == issuer && m.WholesalerMeetingId == wholesalerId, ct);
        if (meeting is null)
        {
            logger.LogWarning("Refused a Wholesaler webhook for meeting {WholesalerMeetingId}, which no user of ours owns", wholesalerId);
            return Outcome.UnknownMeeting;
        }

        WholesalerMeetingJson.Follow(payload, meeting);
        // Vexa's post-meeting task adds participants/languages only when missing; do the same for our copy, in the
        // database, so that a user's PATCH at the same moment keeps its keys.
        var found = new JsonObject();
        foreach (var key in new[] { "participants", "languages" })
        {
            if (payload["data"]?[key] is JsonArray values)
            {
                found[key] = values.DeepClone();
            }
        }
        if (found.Count > 0)
        {
            await db.MergeDataAsync(meeting, found, ct, onlyMissing: true);
        }

        var body = MeetingResponse.From(meeting);
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            MeetingId = meeting.Id,
            UserId = meeting.UserId,
            EventKey = $"meeting.{meeting.Status}",
            Payload = System.Text.Json.JsonSerializer.Serialize(body, VexaJson.Options),
            NextAttemptAt = DateTime.UtcNow,
            CreatedAt = DateTime.UtcNow,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Outcome.Duplicate; // the Wholesaler repeated an event we already hold
        }
        await transcripts.DropAsync(meeting); // a fresh, final transcript is fetched (and cached) on next read
        return Outcome.Queued;
    }
}
