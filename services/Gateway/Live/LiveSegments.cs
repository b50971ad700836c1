using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Observability;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// Writes the transcript frames of fed meetings (<see cref="TranscriptFeed"/>) to our copy (<see cref="SegmentStore"/>),
/// on the frame's lane (<see cref="LiveRouter"/>), so a meeting's frames are applied in their order, as the contract
/// says: Vexa 2025-09's <c>transcript.mutable</c> (segments still changing, re-sent as they are refined) and
/// <c>transcript.finalized</c> (segments written for good) are both upserts by the segment's start; 0.12's
/// <c>transcript</c> upserts its <c>segment</c> or <c>confirmed</c> segments and replaces the speaker's pending set with
/// its <c>pending</c> (<see cref="LiveV1Frames"/>), and <c>transcript_retract</c> deletes the segments it names. A frame
/// that could not be applied is a gap: the feed catches the meeting up over REST before our copy is read again.
/// </summary>
public sealed class LiveSegments(IServiceScopeFactory scopes, VexaMetrics metrics, ILogger<LiveSegments> logger)
{
    private static readonly HashSet<string> Written =
        ["transcript.mutable", "transcript.finalized", LiveV1Frames.Transcript, LiveV1Frames.Retract];

    // A few writes at once: 200 meetings' frames arriving together would otherwise take 200 connections.
    private readonly SemaphoreSlim _writes = new(WritesAtOnce, WritesAtOnce);
    private const int WritesAtOnce = 8;
    // How many frames each meeting has lost in all (the feed compares with what it saw last).
    private readonly ConcurrentDictionary<(string Platform, string NativeId), int> _misses = new();
    // What was last written of each meeting's recent segments: 0.12 sends every segment twice (the bot, then the
    // collector), and the second copy, unchanged, costs no write. Scenario (7t) on 1.5: writing both doubled the writes
    // and left transcripts 13 s behind (p50).
    private readonly ConcurrentDictionary<(string Platform, string NativeId), RecentWrites> _recent = new();

    /// <param name="frame">The frame as the router parsed it (read, not changed).</param>
    /// <param name="meetingStart">Our meeting's start: what 0.12's epoch times are counted from.</param>
    public async Task ApplyAsync(long meetingId, string platform, string nativeId, JsonObject frame, DateTime? meetingStart, CancellationToken ct)
    {
        if (frame["type"]?.GetValue<string>() is not { } type || !Written.Contains(type))
        {
            return;
        }
        await _writes.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<SegmentStore>();
            var written = type switch
            {
                LiveV1Frames.Retract => await store.RetractAsync(meetingId,
                    [.. (frame["segment_ids"] as JsonArray ?? []).Select(WholesalerSegmentsJson.Identity).OfType<string>()], ct),
                LiveV1Frames.Transcript when LiveV1Frames.SnapshotSpeaker(frame) is { } speaker => await store.SnapshotAsync(meetingId, speaker,
                    WholesalerSegmentsJson.Pushed([.. LiveV1Frames.Listed(frame, "confirmed").Select(s => s.DeepClone())], meetingStart),
                    WholesalerSegmentsJson.Pushed([.. LiveV1Frames.Listed(frame, "pending").Select(s => s.DeepClone())], meetingStart), ct),
                LiveV1Frames.Transcript => await MergeAsync(store, meetingId, platform, nativeId,
                    WholesalerSegmentsJson.Pushed(LiveV1Frames.Segments(frame), meetingStart), ct),
                // 2025-09's transcript.mutable and transcript.finalized: times are offsets already.
                _ => await MergeAsync(store, meetingId, platform, nativeId,
                    WholesalerSegmentsJson.Pushed(frame["payload"]?["segments"] as JsonArray is { } pushed ? (JsonArray)pushed.DeepClone() : [], meetingStart), ct),
            };
            metrics.FeedSegments(written, "pushed");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("A {Type} frame of meeting {MeetingId} was not written to our copy ({Error}); it is caught up",
                type, meetingId, e.GetBaseException().Message);
            Missed(platform, nativeId);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>The segments not written already as they are.</summary>
    private async Task<int> MergeAsync(SegmentStore store, long meetingId, string platform, string nativeId,
        List<StoredSegment> segments, CancellationToken ct)
    {
        var recent = _recent.GetOrAdd((platform, nativeId), _ => new RecentWrites());
        var changed = segments.Where(recent.Differs).ToList();
        if (changed.Count == 0)
        {
            return 0;
        }
        var written = await store.MergeAsync(meetingId, changed, ct);
        foreach (var segment in changed)
        {
            recent.Wrote(segment);
        }
        return written;
    }

    /// <summary>Forgets what was written of the meeting: our copy was written by another path (a REST catch-up), or the
    /// meeting is no longer fed.</summary>
    public void Forget(string platform, string nativeId) => _recent.TryRemove((platform, nativeId), out _);

    /// <summary>A meeting's last few hundred segments as last written, by identity (a bound: duplicates come together).</summary>
    private sealed class RecentWrites
    {
        private const int Kept = 256;
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _json = [];
        private readonly Queue<string> _order = new();

        private static string Key(StoredSegment s) => s.SegmentId ?? s.Json["start"]?.ToJsonString() ?? "";

        public bool Differs(StoredSegment segment)
        {
            lock (_gate)
            {
                return !segment.Whole || !_json.TryGetValue(Key(segment), out var json) || json != segment.Json.ToJsonString();
            }
        }

        public void Wrote(StoredSegment segment)
        {
            var key = Key(segment);
            lock (_gate)
            {
                if (!_json.ContainsKey(key))
                {
                    _order.Enqueue(key);
                    if (_order.Count > Kept)
                    {
                        _json.Remove(_order.Dequeue());
                    }
                }
                _json[key] = segment.Json.ToJsonString();
            }
        }
    }

    /// <summary>A frame of the meeting was lost: our copy of it is no longer whole.</summary>
    public void Missed(string platform, string nativeId) => _misses.AddOrUpdate((platform, nativeId), 1, (_, n) => n + 1);

    /// <summary>How many frames of the meeting were lost since this replica started: a catch-up whose count changed
    /// while it read did not make our copy whole.</summary>
    public int Misses(string platform, string nativeId) => _misses.GetValueOrDefault((platform, nativeId));
}
