using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Services;

public enum UpdateResult { Updated, NotFound, NoData }

/// <summary>The transcription collector: GET /meetings, transcripts, PATCH and DELETE /meetings (contract 4.5-4.8).</summary>
public sealed partial class MeetingStore
{
    public MeetingListResponse ListMeetings()
    {
        lock (_gate)
        {
            var meetings = new List<MeetingResponse>(_meetings.Count);
            for (var i = _meetings.Count - 1; i >= 0; i--)
            {
                meetings.Add(ToResponse(_meetings[i]));
            }
            return new MeetingListResponse(meetings);
        }
    }

    /// <summary>Merges the given non-null fields shallowly into the newest meeting's <c>data</c>.</summary>
    public UpdateResult UpdateData(string platform, string nativeId, MeetingDataUpdate update, out MeetingResponse? updated)
    {
        updated = null;
        lock (_gate)
        {
            var meeting = Newest(platform, nativeId);
            if (meeting is null)
            {
                return UpdateResult.NotFound;
            }
            if (update.IsEmpty)
            {
                return UpdateResult.NoData;
            }
            if (update.Name is not null)
            {
                meeting.Data["name"] = update.Name;
            }
            if (update.Participants is not null)
            {
                meeting.Data["participants"] = new JsonArray([.. update.Participants.Select(p => JsonValue.Create(p))]);
            }
            if (update.Languages is not null)
            {
                meeting.Data["languages"] = new JsonArray([.. update.Languages.Select(l => JsonValue.Create(l))]);
            }
            if (update.Notes is not null)
            {
                meeting.Data["notes"] = update.Notes;
            }
            Touch(meeting, Now());
            updated = ToResponse(meeting);
            return UpdateResult.Updated;
        }
    }

    /// <summary>Hard-deletes the newest meeting whatever its status (dfc7c83e); its bot is forgotten with it.</summary>
    public bool DeleteNewest(string platform, string nativeId)
    {
        lock (_gate)
        {
            var meeting = Newest(platform, nativeId);
            if (meeting is null)
            {
                return false;
            }
            Remove(meeting);
            return true;
        }
    }

    /// <summary>
    /// What a <c>/ws</c> subscription to the newest meeting on (platform, native id) has not seen yet, given how many
    /// segments of meeting <paramref name="seenMeetingId"/> it has sent (<paramref name="sent"/>) and how many of those
    /// as final (<paramref name="sentFinal"/>): the new segments and those finalised since, without building the whole
    /// transcript. When another meeting is now the newest, it is seen from its start.
    /// </summary>
    /// <param name="fromNow">Where a new subscription starts: everything there is now counts as sent, nothing is changed
    /// (Vexa sends what changes after a subscribe, and replays nothing).</param>
    public LiveView? Live(string platform, string nativeId, long? seenMeetingId, int sent, int sentFinal, bool fromNow = false)
    {
        lock (_gate)
        {
            if (Newest(platform, nativeId) is not { } meeting)
            {
                return null;
            }
            if (meeting.Id != seenMeetingId)
            {
                (sent, sentFinal) = (0, 0);
            }
            var now = Now();
            var (visible, final) = transcripts.Counts(meeting, now);
            if (fromNow)
            {
                (sent, sentFinal) = (visible, final);
            }
            var changed = new List<TranscriptSegment>();
            for (var k = Math.Min(sentFinal, sent); k < visible; k++)
            {
                if (k >= sent || k < final)
                {
                    changed.Add(transcripts.SegmentAt(meeting, k, now));
                }
            }
            return new LiveView(meeting.Id, meeting.Status, visible, Math.Max(sentFinal, final), changed,
                () => Enumerable.Range(0, visible).Select(k => transcripts.SegmentAt(meeting, k, now)).ToList());
        }
    }

    /// <summary>
    /// The transcript response of the newest meeting (or of <paramref name="meetingId"/>, which must match platform and
    /// native id) as UTF-8 JSON. Cached per meeting until the next segment appears, a segment is finalised or the
    /// meeting changes, so a finished meeting is served from the same bytes every time.
    /// </summary>
    public (long MeetingId, byte[] Utf8Json)? Transcript(string platform, string nativeId, long? meetingId)
    {
        lock (_gate)
        {
            var meeting = meetingId is { } id
                ? _byId.GetValueOrDefault(id) is { } byId && byId.Platform == platform && byId.NativeMeetingId == nativeId ? byId : null
                : Newest(platform, nativeId);
            if (meeting is null)
            {
                return null;
            }
            var now = Now();
            if (meeting.TranscriptCache is { } cached && cached.Version == meeting.Version && now < cached.ValidUntil)
            {
                return (meeting.Id, cached.Utf8Json);
            }
            var (response, validUntil) = transcripts.Build(meeting, now);
            var json = JsonSerializer.SerializeToUtf8Bytes(response, EmulatorJsonContext.Web.TranscriptResponse);
            meeting.TranscriptCache = new CachedTranscript(json, meeting.Version, validUntil);
            return (meeting.Id, json);
        }
    }

    /// <summary>
    /// Sets what the Wholesaler holds for meeting <paramref name="id"/>, creating it with that id if there is none, with
    /// no bot behind it (emulator control): a test can then report a change of it by webhook, as Vexa would after
    /// making it, and the Retailer's read-back finds it. Null when the id names a meeting of another platform or native id.
    /// </summary>
    public MeetingResponse? Stage(long id, StagedMeeting staged)
    {
        lock (_gate)
        {
            var now = Now();
            if (!_byId.TryGetValue(id, out var meeting))
            {
                meeting = Insert(staged.Platform, staged.NativeMeetingId, now, behaviour.Current, id);
            }
            else if (meeting.Platform != staged.Platform || meeting.NativeMeetingId != staged.NativeMeetingId)
            {
                return null;
            }
            meeting.Status = staged.Status;
            meeting.StartTime = staged.StartTime;
            meeting.EndTime = staged.EndTime;
            if (staged.Segments is { } segments)
            {
                // A session that produced exactly this many segments and has stopped (see TranscriptGenerator).
                meeting.SessionStart = segments == 0 ? null
                    : now.AddMilliseconds(-Options.BotJoinDelayMs - (segments + 0.5) * meeting.SegmentIntervalMs);
                meeting.ProducingUntil = now;
            }
            Touch(meeting, now);
            return ToResponse(meeting);
        }
    }
}
