using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Observability;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// Writes the transcript frames of fed meetings (<see cref="TranscriptFeed"/>) to our copy (<see cref="SegmentStore"/>),
/// on the frame's lane (<see cref="LiveRouter"/>), so a meeting's frames are applied in their order: Vexa 2025-09's
/// <c>transcript.mutable</c> (segments still changing, re-sent as they are refined) and <c>transcript.finalized</c>
/// (segments written for good) are both upserts by the segment's start. A frame that could not be applied is a gap:
/// the feed catches the meeting up over REST before our copy is read again.
/// </summary>
public sealed class LiveSegments(IServiceScopeFactory scopes, VexaMetrics metrics, ILogger<LiveSegments> logger)
{
    private static readonly HashSet<string> Transcript = ["transcript.mutable", "transcript.finalized"];

    // A few writes at once: 200 meetings' frames arriving together would otherwise take 200 connections.
    private readonly SemaphoreSlim _writes = new(WritesAtOnce, WritesAtOnce);
    private const int WritesAtOnce = 8;
    // Meetings that lost a frame since the feed last looked, and how many frames each has lost in all.
    private readonly ConcurrentDictionary<(string Platform, string NativeId), byte> _missed = new();
    private readonly ConcurrentDictionary<(string Platform, string NativeId), int> _misses = new();

    public async Task ApplyAsync(long meetingId, string platform, string nativeId, byte[] utf8, CancellationToken ct)
    {
        if (JsonNode.Parse(utf8) is not JsonObject frame || frame["type"]?.GetValue<string>() is not { } type || !Transcript.Contains(type)
            || frame["payload"]?["segments"] is not JsonArray pushed || pushed.Count == 0)
        {
            return;
        }
        await _writes.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<SegmentStore>();
            // 2025-09 times are offsets already; the meeting's start only matters for epoch times.
            var written = await store.MergeAsync(meetingId, WholesalerSegmentsJson.Pushed(pushed, meetingStart: null), ct);
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

    /// <summary>A frame of the meeting was lost: our copy of it is no longer whole.</summary>
    public void Missed(string platform, string nativeId)
    {
        _misses.AddOrUpdate((platform, nativeId), 1, (_, n) => n + 1);
        _missed.TryAdd((platform, nativeId), 0);
    }

    /// <summary>How many frames of the meeting were lost since this replica started: a catch-up whose count changed
    /// while it read did not make our copy whole.</summary>
    public int Misses(string platform, string nativeId) => _misses.GetValueOrDefault((platform, nativeId));

    /// <summary>The meetings that lost a frame since the last call.</summary>
    public List<(string Platform, string NativeId)> TakeMissed()
    {
        var missed = _missed.Keys.ToList();
        foreach (var meeting in missed)
        {
            _missed.TryRemove(meeting, out _);
        }
        return missed;
    }
}
