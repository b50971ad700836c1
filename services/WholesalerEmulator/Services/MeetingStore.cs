using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// The system user's meetings, in memory, behind one lock. Operations are grouped by feature in the partial files
/// (<c>MeetingStore.Bots.cs</c>, <c>MeetingStore.Meetings.cs</c>).
/// </summary>
public sealed partial class MeetingStore(
    TimeProvider time,
    IOptions<EmulatorOptions> options,
    TranscriptGenerator transcripts,
    BotScheduler scheduler,
    WebhookSender webhooks,
    RequestStats stats,
    EmulatorBehaviour behaviour,
    SystemUser user)
{
    private readonly Lock _gate = new();
    private readonly List<Meeting> _meetings = []; // oldest first: ids grow with created_at
    private readonly Dictionary<long, Meeting> _byId = [];
    private readonly Dictionary<(string Platform, string NativeId), List<Meeting>> _byNativeId = [];
    private long _lastId;

    private EmulatorOptions Options => options.Value;

    private DateTime Now() => VexaDateTime.UtcNow(time);

    /// <summary>Forgets every meeting; ids keep growing so an old id never names a new meeting.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            foreach (var meeting in _meetings)
            {
                meeting.Deleted = true;
            }
            _meetings.Clear();
            _byId.Clear();
            _byNativeId.Clear();
        }
    }

    /// <param name="id">An id chosen by a test (<see cref="Stage"/>); otherwise the next free one.</param>
    private Meeting Insert(string platform, string nativeId, DateTime now, BehaviourSettings play, long? id = null)
    {
        if (id is null)
        {
            do
            {
                ++_lastId;
            }
            while (_byId.ContainsKey(_lastId)); // never an id a test staged
        }
        var meeting = new Meeting
        {
            Id = id ?? _lastId,
            Platform = platform,
            NativeMeetingId = nativeId,
            CreatedAt = now,
            UpdatedAt = now,
            ConstructedMeetingUrl = Platforms.ConstructMeetingUrl(platform, nativeId),
            BotCanJoin = Platforms.BotCanJoin(platform, nativeId, joinsTeams: play.Generation.SendsV1Frames),
            SegmentIntervalMs = play.SegmentIntervalMs,
            MaxSegments = play.MaxSegments,
        };
        _meetings.Add(meeting);
        _byId.Add(meeting.Id, meeting);
        if (!_byNativeId.TryGetValue((platform, nativeId), out var sameNativeId))
        {
            _byNativeId[(platform, nativeId)] = sameNativeId = [];
        }
        sameNativeId.Add(meeting);
        return meeting;
    }

    private void Remove(Meeting meeting)
    {
        meeting.Deleted = true;
        _meetings.Remove(meeting);
        _byId.Remove(meeting.Id);
        var key = (meeting.Platform, meeting.NativeMeetingId);
        if (_byNativeId.TryGetValue(key, out var sameNativeId) && sameNativeId.Remove(meeting) && sameNativeId.Count == 0)
        {
            _byNativeId.Remove(key);
        }
    }

    /// <summary>The newest meeting (by <c>created_at</c>) for the native id, optionally only among those in one status.</summary>
    private Meeting? Newest(string platform, string nativeId, Func<Meeting, bool>? where = null)
    {
        if (!_byNativeId.TryGetValue((platform, nativeId), out var sameNativeId))
        {
            return null;
        }
        for (var i = sameNativeId.Count - 1; i >= 0; i--)
        {
            if (where is null || where(sameNativeId[i]))
            {
                return sameNativeId[i];
            }
        }
        return null;
    }

    private static void Touch(Meeting meeting, DateTime now)
    {
        meeting.UpdatedAt = now;
        meeting.Version++;
    }

    /// <summary>The meeting in the shape <paramref name="generation"/> writes it.</summary>
    private static JsonObject Shaped(MeetingResponse legacy, Meeting meeting, Generations.EmulatedGeneration generation) =>
        generation.Meeting(JsonSerializer.SerializeToNode(legacy, EmulatorJsonContext.Web.MeetingResponse)!.AsObject(), meeting);

    private JsonObject Shaped(Meeting meeting, Generations.EmulatedGeneration generation) => Shaped(ToResponse(meeting), meeting, generation);

    private MeetingResponse ToResponse(Meeting meeting) => new(
        meeting.Id,
        Options.SystemUserId,
        meeting.Platform,
        meeting.NativeMeetingId,
        meeting.ConstructedMeetingUrl,
        meeting.Status,
        meeting.BotContainerId,
        VexaDateTime.Naive(meeting.StartTime),
        VexaDateTime.Naive(meeting.EndTime),
        meeting.Data.DeepClone().AsObject(),
        VexaDateTime.Naive(meeting.CreatedAt),
        VexaDateTime.Naive(meeting.UpdatedAt));
}
