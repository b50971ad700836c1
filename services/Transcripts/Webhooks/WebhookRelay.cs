using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Receives the Wholesaler's webhooks: the completion webhook (the meeting itself) and, from Vexa of September 2025 on,
/// <c>meeting.status_change</c> events (<c>{"event_type", "meeting", "status_change"}</c>). Finds which of our users owns
/// the meeting and brings our row up to date (freeing the quota slot at the end); a meeting that becomes final puts its
/// owner's webhook events in the outbox in the same transaction (<see cref="MeetingEventOutbox"/>). Delivery is the
/// <see cref="WebhookDispatcher"/>'s job, so nothing is lost if we crash after answering. Event types we don't know (a
/// newer Wholesaler) are acknowledged and ignored.
/// </summary>
public sealed class WebhookRelay(VexaDbContext db, MeetingFollower follower, ILogger<WebhookRelay> logger)
{
    public const string StatusChangeEvent = "meeting.status_change";

    public enum Outcome { Followed, Unchanged, UnknownMeeting, Ignored }

    /// <param name="issuer">Who sent it (<see cref="WholesalerIdentity"/>): its meeting ids mean something only to it.</param>
    public async Task<Outcome> AcceptAsync(JsonObject payload, string issuer, CancellationToken ct)
    {
        var eventType = WholesalerMeetingJson.Text(payload, "event_type");
        var reported = eventType switch
        {
            null => payload,
            StatusChangeEvent => payload["meeting"] as JsonObject,
            _ => null,
        };
        if (reported is null)
        {
            logger.LogInformation("Ignored a Wholesaler webhook of type {EventType}", eventType);
            return Outcome.Ignored;
        }
        var wholesalerId = WholesalerMeetingJson.Id(reported);
        var meeting = wholesalerId is null ? null
            : await db.Meetings.FirstOrDefaultAsync(m => m.WholesalerIssuer == issuer && m.WholesalerMeetingId == wholesalerId, ct);
        if (meeting is null)
        {
            logger.LogWarning("Refused a Wholesaler webhook for meeting {WholesalerMeetingId}, which no user of ours owns", wholesalerId);
            return Outcome.UnknownMeeting;
        }

        var change = payload["status_change"] as JsonObject;
        var transition = change is not null
            // The Wholesaler's own account of the change, passed on in our users' status_change events.
            ? new StatusTransition(
                WholesalerMeetingJson.Text(change, "transition_source") ?? StatusTransition.Wholesaler.Source,
                WholesalerMeetingJson.Text(change, "reason"))
            : StatusTransition.Wholesaler;
        if (eventType is null)
        {
            // Vexa's post-meeting task adds participants/languages only when missing; do the same for our copy, in the
            // database, so that a user's PATCH at the same moment keeps its keys.
            var found = new JsonObject();
            foreach (var key in new[] { "participants", "languages" })
            {
                if (reported["data"]?[key] is JsonArray values)
                {
                    found[key] = values.DeepClone();
                }
            }
            if (found.Count > 0)
            {
                await db.MergeDataAsync(meeting, found, ct, onlyMissing: true);
            }
        }
        var from = WholesalerMeetingJson.Text(change, "from");
        return await follower.FollowAsync(meeting, reported, transition, ct, from) ? Outcome.Followed : Outcome.Unchanged;
    }
}
