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

    /// <summary>One page of meetings, newest first, in the played generation's shape, and whether more follow.</summary>
    public (JsonArray Meetings, bool HasMore) ListMeetings(MeetingPage page)
    {
        lock (_gate)
        {
            var generation = behaviour.Current.Generation;
            var matching = Enumerable.Range(0, _meetings.Count).Select(i => _meetings[_meetings.Count - 1 - i])
                .Where(m => (page.Status is null || m.Status == page.Status) && (page.Platform is null || m.Platform == page.Platform))
                .Skip(page.Offset);
            var rows = new JsonArray();
            var hasMore = false;
            foreach (var meeting in matching)
            {
                if (page.Limit is { } limit && rows.Count == limit)
                {
                    hasMore = true;
                    break;
                }
                rows.Add(Shaped(meeting, generation));
            }
            return (rows, hasMore);
        }
    }

    /// <summary>0.12 and 1.5: DELETE /meetings removes a final meeting's transcript only (0.12 keeps the row, 1.5 its
    /// anonymised husk); a meeting still in its bot's lifecycle is refused.</summary>
    public (int Status, JsonObject Body) DeleteArtifacts(string platform, string nativeId)
    {
        lock (_gate)
        {
            var generation = behaviour.Current.Generation;
            var meeting = Newest(platform, nativeId);
            if (meeting is null)
            {
                return (404, new JsonObject { ["detail"] = $"Meeting not found for platform {platform} and ID {nativeId}" });
            }
            if (!MeetingStatus.IsFinal(meeting.Status))
            {
                return (409, new JsonObject { ["detail"] = generation.NotFinalForDeletion(meeting.Status) });
            }
            if (!generation.KeepsDeletedMeetingRow)
            {
                Remove(meeting); // 1.5 nulls the native id: the meeting cannot be found by it any more
                return (200, new JsonObject { ["message"] = $"Meeting {platform}/{nativeId} transcripts deleted and meeting data anonymized" });
            }
            meeting.ArtifactsDeleted = true;
            Touch(meeting, Now());
            return (200, new JsonObject
            {
                ["status"] = "deleted",
                ["id"] = meeting.Id,
                ["platform"] = platform,
                ["native_meeting_id"] = nativeId,
                ["deleted"] = "completed_meeting_artifacts",
                ["objects_deleted"] = 0,
                ["backup_residuals"] = "expire_under_deployment_retention_policy",
            });
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
    /// <param name="pinned">Vexa 0.12: the meeting row the subscription found when it was made, kept whatever begins on
    /// the native id later.</param>
    public LiveView? Live(string platform, string nativeId, long? seenMeetingId, int sent, int sentFinal, bool fromNow = false,
        long? pinned = null)
    {
        lock (_gate)
        {
            if ((pinned is { } row ? _byId.GetValueOrDefault(row) : Newest(platform, nativeId)) is not { } meeting)
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
            var indexes = new List<int>();
            for (var k = Math.Min(sentFinal, sent); k < visible; k++)
            {
                if ((k >= sent || k < final) && !meeting.Retracted.Contains(k))
                {
                    changed.Add(transcripts.SegmentAt(meeting, k, now));
                    indexes.Add(k);
                }
            }
            return new LiveView(meeting.Id, meeting.Status, visible, Math.Max(sentFinal, final), changed,
                () => Enumerable.Range(0, visible).Select(k => transcripts.SegmentAt(meeting, k, now)).ToList(),
                indexes, [.. meeting.Retracted.Order()], meeting.Platform, meeting.NativeMeetingId, meeting.SessionStart ?? now);
        }
    }

    /// <summary>The Wholesaler takes segment <paramref name="k"/> of the meeting back (emulator control): it leaves the
    /// transcript, and 0.12's subscribers get a <c>transcript_retract</c> (Teams: a pending snapshot without it).</summary>
    /// <returns>False when there is no such meeting or segment yet.</returns>
    public bool Retract(long meetingId, int k)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(meetingId, out var meeting) || k < 0 || k >= transcripts.Counts(meeting, Now()).Visible)
            {
                return false;
            }
            meeting.Retracted.Add(k);
            meeting.Version++;
            return true;
        }
    }

    /// <summary>The Vexa played now.</summary>
    public Generations.EmulatedGeneration Generation => behaviour.Current.Generation;

    /// <summary>
    /// The transcript response of the newest meeting (or of <paramref name="meetingId"/>, which must match platform and
    /// native id unless they are null: 0.12's <c>/transcripts/by-id</c>) as UTF-8 JSON, in the played generation's shape.
    /// Cached per meeting until the next segment appears, a segment is finalised or the meeting changes, so a finished
    /// meeting is served from the same bytes every time.
    /// </summary>
    public (long MeetingId, byte[] Utf8Json)? Transcript(string? platform, string? nativeId, long? meetingId)
    {
        lock (_gate)
        {
            var meeting = meetingId is { } id
                ? _byId.GetValueOrDefault(id) is { } byId && (platform is null || (byId.Platform == platform && byId.NativeMeetingId == nativeId)) ? byId : null
                : Newest(platform!, nativeId!);
            if (meeting is null || meeting.ArtifactsDeleted)
            {
                return null;
            }
            var generation = behaviour.Current.Generation;
            var now = Now();
            if (meeting.TranscriptCache is { } cached && cached.Version == meeting.Version && now < cached.ValidUntil
                && cached.Generation == generation.Name)
            {
                return (meeting.Id, cached.Utf8Json);
            }
            var (response, validUntil) = transcripts.Build(meeting, now);
            var json = generation.WritesEpochSegments
                // UTF-8 as it is (FastAPI's ensure_ascii=False), like every other answer: the web options' encoder.
                ? System.Text.Encoding.UTF8.GetBytes(EpochTranscript(response, meeting, generation).ToJsonString(EmulatorJsonContext.Web.Options))
                : JsonSerializer.SerializeToUtf8Bytes(meeting.Retracted.Count == 0 ? response
                    : response with { Segments = [.. response.Segments.Where((_, k) => !meeting.Retracted.Contains(k))] },
                    EmulatorJsonContext.Web.TranscriptResponse);
            meeting.TranscriptCache = new CachedTranscript(json, meeting.Version, validUntil, generation.Name);
            return (meeting.Id, json);
        }
    }

    /// <summary>
    /// 0.12's transcript: times in Z; segments as its bot writes them, <c>start</c>/<c>end</c> in epoch seconds with a
    /// <c>segment_id</c> and <c>completed</c>, no <c>created_at</c>; the newest segment listed twice, as its two stores
    /// (Postgres, the Redis hash) both hold it until the merge.
    /// </summary>
    private static JsonObject EpochTranscript(TranscriptResponse response, Meeting meeting, Generations.EmulatedGeneration generation)
    {
        var segments = new JsonArray([.. response.Segments.Select((s, k) => (s, k)).Where(x => !meeting.Retracted.Contains(x.k))
            .Select(x => (JsonNode)V1Segment.Of(x.s, meeting.Id, x.k))]);
        if (segments.Count > 0)
        {
            segments.Add(segments[^1]!.DeepClone());
        }
        return new JsonObject
        {
            ["id"] = response.Id,
            ["platform"] = response.Platform,
            ["native_meeting_id"] = response.NativeMeetingId,
            ["constructed_meeting_url"] = response.ConstructedMeetingUrl,
            ["status"] = response.Status,
            ["start_time"] = generation.Time(meeting.StartTime),
            ["end_time"] = generation.Time(meeting.EndTime),
            ["recordings"] = new JsonArray(),
            ["notes"] = null,
            ["data"] = new JsonObject(),
            ["segments"] = segments,
        };
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
