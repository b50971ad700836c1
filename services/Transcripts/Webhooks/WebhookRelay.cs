using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Receives the Wholesaler's webhooks: the completion webhook (the meeting itself) and, from Vexa of September 2025 on,
/// <c>meeting.status_change</c> events (<c>{"event_type", "meeting", "status_change"}</c>). Finds which of our users owns
/// the meeting and brings our row up to date (freeing the quota slot at the end); a meeting that becomes final puts its
/// owner's webhook events in the outbox in the same transaction (<see cref="MeetingEventOutbox"/>). Delivery is the
/// <see cref="WebhookDispatcher"/>'s job, so nothing is lost if we crash after answering. Event types we don't know (a
/// newer Wholesaler) are acknowledged and ignored.
/// <para>
/// A webhook is a hint, never the truth: whoever learns the callback URL can post one, and an old one can be replayed.
/// What reaches our row (status, times, participants and languages) is what the Wholesaler answers when asked about
/// the meeting (<see cref="CallbackReadBack"/>), and the issuer is whoever answers, not a header of the webhook. The
/// webhook only adds what cannot be read back: the reason of a change, when the Wholesaler's answer bears the change out.
/// </para>
/// </summary>
public sealed class WebhookRelay(VexaDbContext db, MeetingFollower follower, CallbackReadBack readBack, SegmentStore segments,
    WholesalerIdentity identity,
    ILogger<WebhookRelay> logger)
{
    public const string StatusChangeEvent = "meeting.status_change";

    /// <summary>How many of our rows with the same Wholesaler id (issued by earlier instances) are considered.</summary>
    private const int MaxCandidates = 8;

    public enum Outcome { Followed, Unchanged, UnknownMeeting, Ignored }

    public async Task<Outcome> AcceptAsync(JsonObject payload, CancellationToken ct)
    {
        var eventType = WholesalerMeetingJson.Text(payload, "event_type");
        var claimed = eventType switch
        {
            null => payload,
            StatusChangeEvent => payload["meeting"] as JsonObject,
            _ => null,
        };
        if (claimed is null)
        {
            logger.LogInformation("Ignored a Wholesaler webhook of type {EventType}", eventType);
            return Outcome.Ignored;
        }
        var wholesalerId = WholesalerMeetingJson.Id(claimed);
        var (candidates, asked) = wholesalerId is { } named ? await CandidatesAsync(named, claimed, ct) : ([], null);
        if (asked is not null && NothingToLearn(asked, claimed)
            && candidates.Count(m => m.Platform == asked.Platform && m.NativeMeetingId == asked.NativeMeetingId) == 1)
        {
            // Our row is there already (the /ws feed's status frame came first): a read-back could change nothing, and
            // at 200 meetings a status every few seconds those calls were most of the Wholesaler's budget.
            return Outcome.Unchanged;
        }
        var (meeting, verified) = asked is not null ? await ReadBackAsync(wholesalerId!.Value, candidates, asked) : (null, null);
        if (meeting is null || verified is null)
        {
            logger.LogWarning("Refused a Wholesaler webhook for meeting {WholesalerMeetingId}, which the Wholesaler does not confirm"
                + " as one of ours", wholesalerId);
            return Outcome.UnknownMeeting;
        }

        var change = payload["status_change"] as JsonObject;
        var claimedStatus = WholesalerMeetingJson.Status(claimed);
        var confirmed = claimedStatus is not null && claimedStatus == WholesalerMeetingJson.Status(verified.Meeting);
        var transition = confirmed && change is not null
            // The Wholesaler's own account of the change, passed on in our users' status_change events.
            ? new StatusTransition(
                WholesalerMeetingJson.Text(change, "transition_source") ?? StatusTransition.Wholesaler.Source,
                WholesalerMeetingJson.Text(change, "reason"))
            : StatusTransition.Wholesaler;
        // The step the webhook tells of, when the Wholesaler has gone past it meanwhile (its answer is newer than the
        // webhook): the owner is still told that step, in order, if it lies on the path between ours and the answer.
        var from = confirmed ? WholesalerMeetingJson.Text(change, "from") : claimedStatus;

        if (MeetingStatus.IsFinal(WholesalerMeetingJson.Status(verified.Meeting) ?? ""))
        {
            // Vexa's post-meeting task adds participants/languages only when missing; do the same for our copy, in the
            // database, so that a user's PATCH at the same moment keeps its keys.
            var found = new JsonObject();
            if (verified.Participants.Count > 0)
            {
                found["participants"] = new JsonArray([.. verified.Participants.Select(p => (JsonNode?)p)]);
            }
            if (verified.Languages.Count > 0)
            {
                found["languages"] = new JsonArray([.. verified.Languages.Select(l => (JsonNode?)l)]);
            }
            if (found.Count > 0)
            {
                await db.MergeDataAsync(meeting, found, ct, onlyMissing: true);
            }
        }
        var followed = await follower.FollowAsync(meeting, verified.Meeting, transition, ct, from);
        var final = MeetingStatus.IsFinal(meeting.Status) && MeetingStatus.IsFinal(WholesalerMeetingJson.Status(verified.Meeting) ?? "");
        if (meeting.TranscriptStoredAt is null && (final || verified.Segments.Count > 0))
        {
            // The read-back is the meeting's transcript: our copy at no extra call, for good when the meeting is final,
            // and otherwise what a live read answers when the Wholesaler cannot be asked.
            await segments.SaveAsync(meeting, WholesalerSegmentsJson.Identified(verified.Segments, WholesalerMeetingJson.Start(verified.Meeting, meeting)),
                final: final, CancellationToken.None);
        }
        return followed ? Outcome.Followed : Outcome.Unchanged;
    }

    /// <summary>
    /// Whether the webhook tells of a step our row has reached or passed, its transcript stored if it is final: then
    /// no answer of the Wholesaler's could change the row, and it is not asked. (A forged webhook of such a step costs
    /// nothing either.)
    /// </summary>
    private static bool NothingToLearn(Meeting row, JsonObject claimed) =>
        WholesalerMeetingJson.Status(claimed) is { } status
        && MeetingStatus.Rank(status) is { } claimedRank && MeetingStatus.Rank(row.Status) is { } ourRank
        && (MeetingStatus.IsFinal(row.Status) ? row.TranscriptStoredAt is not null : ourRank >= claimedRank && !MeetingStatus.IsFinal(status));

    /// <summary>
    /// Rows with this id issued by the configured Wholesaler (any of its instances), and the one the webhook names.
    /// </summary>
    private async Task<(List<Meeting> Candidates, Meeting? Asked)> CandidatesAsync(long wholesalerId, JsonObject claimed, CancellationToken ct)
    {
        var address = identity.Address;
        var candidates = await db.Meetings
            .Where(m => m.WholesalerMeetingId == wholesalerId
                && (m.WholesalerIssuer == address || m.WholesalerIssuer!.StartsWith(address + "#")))
            .OrderByDescending(m => m.Id)
            .Take(MaxCandidates)
            .ToListAsync(ct);
        // The webhook's platform and native id, where it names them, choose the meeting to ask about (the answer must
        // bear them out); otherwise the newest row's.
        var platform = WholesalerMeetingJson.Text(claimed, "platform");
        var nativeId = WholesalerMeetingJson.Text(claimed, "native_meeting_id");
        return (candidates, candidates.FirstOrDefault(m => (platform is null || m.Platform == platform) && (nativeId is null || m.NativeMeetingId == nativeId)));
    }

    /// <summary>The Wholesaler's answer about the meeting, and which candidate it is: the read-back says which instance
    /// holds the id now.</summary>
    private async Task<(Meeting?, CallbackReadBack.Verified?)> ReadBackAsync(long wholesalerId, List<Meeting> candidates, Meeting asked)
    {
        var verified = await readBack.ReadAsync(asked.Platform, asked.NativeMeetingId, wholesalerId);
        var meeting = verified is null ? null
            : candidates.FirstOrDefault(m => m.WholesalerIssuer == verified.Issuer && m.Platform == asked.Platform
                && m.NativeMeetingId == asked.NativeMeetingId);
        return (meeting, verified);
    }
}
