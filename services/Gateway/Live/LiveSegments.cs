using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Observability;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// Writes the transcript frames of fed meetings (<see cref="TranscriptFeed"/>) to our copy (<see cref="SegmentStore"/>),
/// queued per meeting by the frame's lane (<see cref="LiveRouter"/>), so a meeting's frames are applied in their order
/// without the relay to our users waiting for the database, as the contract
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

    // Each fed meeting's frames waiting to be written, in their order. The lane that routes a meeting's frames hands
    // them over here and goes on: scenario (8) with the write on the lane (1,000 frames a second, eight writes at once)
    // had our users' frames wait behind the database, 7.8 s late at p50 and growing. Frames that waited together are
    // written together (their segments in one statement), so the copy keeps up with any rate the database can take.
    private readonly ConcurrentDictionary<(string Platform, string NativeId), MeetingWrites> _pending = new();

    private sealed record Pending(long MeetingId, JsonObject Frame, string Type, DateTime? MeetingStart);

    private sealed class MeetingWrites
    {
        public readonly ConcurrentQueue<Pending> Frames = new();
        public int Writing;
    }

    /// <summary>Queues a fed meeting's frame for our copy, after the frames queued before it, and returns at once.</summary>
    /// <param name="frame">The frame as the router parsed it (read, not changed).</param>
    /// <param name="meetingStart">Our meeting's start: what 0.12's epoch times are counted from.</param>
    public void Enqueue(long meetingId, string platform, string nativeId, JsonObject frame, DateTime? meetingStart, CancellationToken ct)
    {
        if (frame["type"]?.GetValue<string>() is not { } type || !Written.Contains(type))
        {
            return;
        }
        var writes = _pending.GetOrAdd((platform, nativeId), _ => new MeetingWrites());
        writes.Frames.Enqueue(new Pending(meetingId, frame, type, meetingStart));
        if (Interlocked.CompareExchange(ref writes.Writing, 1, 0) == 0)
        {
            _ = Task.Run(() => WriteQueuedAsync(platform, nativeId, writes, ct), CancellationToken.None);
        }
    }

    private async Task WriteQueuedAsync(string platform, string nativeId, MeetingWrites writes, CancellationToken ct)
    {
        while (true)
        {
            var batch = new List<Pending>();
            while (writes.Frames.TryDequeue(out var frame))
            {
                batch.Add(frame);
            }
            foreach (var run in Runs(batch))
            {
                await WriteAsync(platform, nativeId, run, ct);
            }
            Volatile.Write(ref writes.Writing, 0);
            // A frame queued after the last dequeue and before the flag fell found it set: this loop takes it.
            if (writes.Frames.IsEmpty || Interlocked.CompareExchange(ref writes.Writing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>The batch in order, consecutive plain merges of whole segments joined into one write (the later copy of a
    /// segment wins, as it would have one write later); a retract, a snapshot or a merge with a partial segment is a
    /// write of its own. A merge's segments come with it (null for a retract or a snapshot).</summary>
    private static IEnumerable<List<(Pending Frame, List<StoredSegment>? Merged)>> Runs(List<Pending> batch)
    {
        List<(Pending, List<StoredSegment>?)>? merges = null;
        foreach (var pending in batch)
        {
            var segments = Merged(pending);
            if (segments is not null && segments.All(s => s.Whole))
            {
                merges ??= [];
                merges.Add((pending, segments));
                continue;
            }
            if (merges is not null)
            {
                yield return merges;
                merges = null;
            }
            yield return [(pending, segments)];
        }
        if (merges is not null)
        {
            yield return merges;
        }
    }

    /// <summary>The segments of a plain merge frame, else null.</summary>
    private static List<StoredSegment>? Merged(Pending pending) => pending.Type switch
    {
        LiveV1Frames.Retract => null,
        LiveV1Frames.Transcript when LiveV1Frames.SnapshotSpeaker(pending.Frame) is not null => null,
        LiveV1Frames.Transcript => WholesalerSegmentsJson.Pushed(LiveV1Frames.Segments(pending.Frame), pending.MeetingStart),
        // 2025-09's transcript.mutable and transcript.finalized: times are offsets already.
        _ => WholesalerSegmentsJson.Pushed(pending.Frame["payload"]?["segments"] as JsonArray is { } pushed ? (JsonArray)pushed.DeepClone() : [],
            pending.MeetingStart),
    };

    private async Task WriteAsync(string platform, string nativeId, List<(Pending Frame, List<StoredSegment>? Merged)> run, CancellationToken ct)
    {
        var (first, merged) = run[0];
        await _writes.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<SegmentStore>();
            var frame = first.Frame;
            // A merge (a partial one, 2025-09's transcript.finalized without absolute times, alone in its run and laid over
            // what is stored), else a retract or a Teams speaker's snapshot.
            var written = merged is not null
                ? await MergeAsync(store, first.MeetingId, platform, nativeId, [.. run.SelectMany(r => r.Merged!)], ct)
                : first.Type == LiveV1Frames.Retract
                    ? await store.RetractAsync(first.MeetingId,
                        [.. (frame["segment_ids"] as JsonArray ?? []).Select(WholesalerSegmentsJson.Identity).OfType<string>()], ct)
                    : await store.SnapshotAsync(first.MeetingId, LiveV1Frames.SnapshotSpeaker(frame)!,
                        WholesalerSegmentsJson.Pushed([.. LiveV1Frames.Listed(frame, "confirmed").Select(s => s.DeepClone())], first.MeetingStart),
                        WholesalerSegmentsJson.Pushed([.. LiveV1Frames.Listed(frame, "pending").Select(s => s.DeepClone())], first.MeetingStart), ct);
            metrics.FeedSegments(written, "pushed");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("{Count} {Type} frame(s) of meeting {MeetingId} were not written to our copy ({Error}); it is caught up",
                run.Count, first.Type, first.MeetingId, e.GetBaseException().Message);
            Missed(platform, nativeId);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the next leader catches the meeting up.
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
    public void Forget(string platform, string nativeId)
    {
        _recent.TryRemove((platform, nativeId), out _);
        _pending.TryRemove((platform, nativeId), out _); // a write under way finishes with its own queue
    }

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
