using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VexaService.Contracts;

namespace VexaService.Gateway.Live;

/// <summary>
/// Routes the Wholesaler's live frames (<see cref="LiveUpstream"/>) to the outboxes of the sockets that watch their
/// meeting and belong to its owner (<see cref="MeetingOwners"/>), and to nobody else. Calls go one way: sockets ask it
/// to watch (it holds the meeting upstream for them), it reads the upstream's events, and it fills outboxes.
/// <para>
/// The upstream reader never waits for a query: each frame goes to its meeting's lane, where the owner is looked up and
/// a status followed (<see cref="LiveStatusFrames"/>) in the frame's order, while other meetings' frames flow on. Read
/// in line, a burst of subscriptions (each answered by a status frame, each looked up fresh and followed in a
/// transaction) held back every meeting's frames: scenario (8) measured them 4-5 s behind the Wholesaler, draining for 10 s.
/// </para>
/// </summary>
public sealed class LiveRouter(
    LiveUpstream upstream, MeetingOwners owners, LiveStatusFrames statuses, LiveSegments segments, ILogger<LiveRouter> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<(string Platform, string NativeId), ConcurrentDictionary<LiveOutbox, byte>> _watchers = new();
    // Meetings the transcript feed (TranscriptFeed) follows into our copy, watched or not.
    private readonly ConcurrentDictionary<(string Platform, string NativeId), byte> _fed = new();
    // One lane per watched or fed meeting, made and ended with its first and last watcher or feed (under _gate, so that
    // a meeting watched again at once never loses its lane).
    private readonly ConcurrentDictionary<(string Platform, string NativeId), Channel<UpstreamEvent.Frame>> _lanes = new();
    private readonly Lock _gate = new();
    // Lanes that need the database take turns, a few at once: 200 subscriptions answered together by status frames
    // would otherwise take 200 connections at once (queries and transactions), and the subscribes waiting for one.
    private readonly SemaphoreSlim _queries = new(QueriesAtOnce, QueriesAtOnce);
    // Vexa 0.12's frames, named by the Wholesaler's meeting id: told which meeting that is in their order (almost always
    // from a kept answer, without a query), then on to the meeting's lane.
    private readonly Channel<UpstreamEvent.Frame> _named = Channel.CreateUnbounded<UpstreamEvent.Frame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private const int QueriesAtOnce = 8;
    private CancellationToken _stopping;

    /// <summary>The outbox gets the meeting's frames from now on (if its user owns the meeting); done once the meeting
    /// is subscribed upstream.</summary>
    public Task WatchAsync(LiveOutbox outbox, string platform, string nativeId)
    {
        lock (_gate)
        {
            var watchers = _watchers.GetOrAdd((platform, nativeId), _ => new());
            if (!watchers.TryAdd(outbox, 0))
            {
                return Task.CompletedTask;
            }
            if (watchers.Count == 1 && !_fed.ContainsKey((platform, nativeId)))
            {
                _lanes[(platform, nativeId)] = StartLane(platform, nativeId);
            }
        }
        return upstream.HoldAsync(platform, nativeId);
    }

    /// <summary>The meeting's transcript frames go to our copy (<see cref="LiveSegments"/>) from now on, whoever watches
    /// it; done once it is subscribed upstream.</summary>
    public Task FeedAsync(string platform, string nativeId)
    {
        lock (_gate)
        {
            if (!_fed.TryAdd((platform, nativeId), 0))
            {
                return Task.CompletedTask;
            }
            if (!_watchers.ContainsKey((platform, nativeId)))
            {
                _lanes[(platform, nativeId)] = StartLane(platform, nativeId);
            }
        }
        return upstream.HoldAsync(platform, nativeId);
    }

    public void Unfeed(string platform, string nativeId)
    {
        lock (_gate)
        {
            if (!_fed.TryRemove((platform, nativeId), out _))
            {
                return;
            }
            segments.Forget(platform, nativeId);
            EndLaneUnlessUsed(platform, nativeId);
        }
        upstream.Release(platform, nativeId);
    }

    /// <summary>Ends the meeting's lane when nobody watches or feeds it any more (under <see cref="_gate"/>).</summary>
    private void EndLaneUnlessUsed(string platform, string nativeId)
    {
        if (!_watchers.ContainsKey((platform, nativeId)) && !_fed.ContainsKey((platform, nativeId))
            && _lanes.TryRemove((platform, nativeId), out var lane))
        {
            lane.Writer.TryComplete();
        }
    }

    public void Unwatch(LiveOutbox outbox, string platform, string nativeId)
    {
        lock (_gate)
        {
            if (!_watchers.TryGetValue((platform, nativeId), out var watchers) || !watchers.TryRemove(outbox, out _))
            {
                return;
            }
            if (watchers.IsEmpty)
            {
                _watchers.TryRemove((platform, nativeId), out _);
                EndLaneUnlessUsed(platform, nativeId);
            }
        }
        upstream.Release(platform, nativeId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var naming = Task.Run(() => NameAsync(stoppingToken), CancellationToken.None);
        try
        {
            await foreach (var e in upstream.Events.ReadAllAsync(stoppingToken))
            {
                switch (e)
                {
                    case UpstreamEvent.Frame { WholesalerId: not null } frame:
                        _named.Writer.TryWrite(frame);
                        break;
                    case UpstreamEvent.Frame frame when _lanes.TryGetValue((frame.Platform, frame.NativeId), out var lane):
                        lane.Writer.TryWrite(frame);
                        break;
                    case UpstreamEvent.Resumed resumed:
                        owners.Forget(); // frames, statuses among them, may have been missed while it was down
                        TellWatchers(resumed.Meetings);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        _named.Writer.TryComplete();
        await naming;
    }

    /// <summary>Finds the meeting each 0.12 frame names (<see cref="MeetingOwners.NamedAsync"/>) and hands the frame to its
    /// lane; a frame of none of our meetings, or of one nobody watches or feeds, goes nowhere.</summary>
    private async Task NameAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var frame in _named.Reader.ReadAllAsync(ct))
            {
                try
                {
                    if (await owners.NamedAsync(frame.Issuer, frame.WholesalerId!.Value, ct) is { } named
                        && _lanes.TryGetValue((named.Platform, named.NativeId), out var lane))
                    {
                        lane.Writer.TryWrite(frame with { Platform = named.Platform, NativeId = named.NativeId, Named = named });
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning("A live frame of Wholesaler meeting {WholesalerId} could not be routed: {Error}", frame.WholesalerId, e.Message);
                    if (frame.Platform.Length > 0)
                    {
                        TellWatchers([(frame.Platform, frame.NativeId)]);
                        segments.Missed(frame.Platform, frame.NativeId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Routes one meeting's frames in their order, apart from every other meeting's.</summary>
    private Channel<UpstreamEvent.Frame> StartLane(string platform, string nativeId)
    {
        // Unbounded: its writer must never wait; what it holds is bounded by the Wholesaler's rate for one meeting times
        // a query's timeout. The lane wakes through the thread pool, so that meetings whose frames arrive together are
        // routed on every core; each socket's send then starts on the lane's thread (LiveOutbox). Scenario (8)'s p99 with
        // a hop per frame and per socket: 127 ms; with none (all on the reader's thread, one meeting after another)
        // 27 ms in one run; with the lane's hop 19-43 ms in three.
        var lane = Channel.CreateUnbounded<UpstreamEvent.Frame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _ = Task.Run(async () =>
        {
            await foreach (var frame in lane.Reader.ReadAllAsync())
            {
                var needsQuery = frame.IsStatus || (frame.Named is null && !owners.Knows(platform, nativeId));
                try
                {
                    if (needsQuery)
                    {
                        await _queries.WaitAsync(_stopping);
                    }
                    try
                    {
                        await RouteAsync(frame, _stopping);
                    }
                    finally
                    {
                        if (needsQuery)
                        {
                            _queries.Release();
                        }
                    }
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    // The frame is lost: its watchers are told, as after an upstream reconnect, and our copy is caught up.
                    logger.LogWarning("A live frame of {Platform}/{NativeId} could not be routed: {Error}", platform, nativeId, e.Message);
                    TellWatchers([(platform, nativeId)]);
                    segments.Missed(platform, nativeId);
                }
            }
        });
        return lane;
    }

    /// <summary>
    /// One frame of the meeting to the owner's watching outboxes, or to nobody. Its bytes go out as they came, the same
    /// array to every outbox.
    /// </summary>
    private async Task RouteAsync(UpstreamEvent.Frame frame, CancellationToken ct)
    {
        var (platform, nativeId, utf8) = (frame.Platform, frame.NativeId, frame.Utf8);
        var fed = _fed.ContainsKey((platform, nativeId));
        if ((!_watchers.TryGetValue((platform, nativeId), out var watchers) || watchers.IsEmpty) && !fed)
        {
            return;
        }
        if (frame.Named is { } named)
        {
            await RouteNamedAsync(frame, named, watchers, fed, ct);
            return;
        }
        if (await owners.OwnerAsync(platform, nativeId, fresh: frame.IsStatus, ct) is not { } owner)
        {
            return;
        }
        var status = frame.IsStatus ? JsonNode.Parse(utf8) as JsonObject : null;
        if (owner.AfterHandover)
        {
            // The meeting before it on this native id ended moments ago: only what provably is this meeting's goes on.
            var mine = status is not null
                ? await statuses.ConfirmedAsync(owner.MeetingId, status, platform, nativeId, ct) ? utf8 : null
                : LiveHandover.TranscriptFor(utf8, owner.Since);
            if (mine is null)
            {
                return;
            }
            utf8 = mine;
        }
        foreach (var outbox in watchers?.Keys.Where(o => o.UserId == owner.UserId) ?? [])
        {
            outbox.Enqueue(utf8);
        }
        if (status is not null)
        {
            await statuses.FollowAsync(owner.MeetingId, status, frame.Issuer, ct);
        }
        else if (fed && JsonNode.Parse(utf8) is JsonObject transcript)
        {
            // After the watchers have it, and without holding the lane: our copy is written in the frame's order.
            segments.Enqueue(owner.MeetingId, platform, nativeId, transcript, meetingStart: null, ct);
        }
    }

    /// <summary>
    /// A 0.12 frame: it names its meeting, so it goes to that meeting's owner (no handover to guard against), told in
    /// 2025-09's words (<see cref="LiveV1Frames"/>); its status is followed and its segments written to our copy.
    /// </summary>
    private async Task RouteNamedAsync(UpstreamEvent.Frame frame, MeetingOwners.Named named,
        ConcurrentDictionary<LiveOutbox, byte>? watchers, bool fed, CancellationToken ct)
    {
        if (JsonNode.Parse(frame.Utf8) is not JsonObject parsed)
        {
            return;
        }
        // Told in 2025-09's words only when one of the owner's sockets watches: the feed alone needs no translation.
        var mine = watchers?.Keys.Where(o => o.UserId == named.Owner.UserId).ToList() ?? [];
        if (mine.Count > 0 && LiveV1Frames.ForUsers(parsed, named) is { } ours)
        {
            foreach (var outbox in mine)
            {
                outbox.Enqueue(ours);
            }
        }
        if (frame.IsStatus)
        {
            await statuses.FollowAsync(named.Owner.MeetingId, parsed, frame.Issuer, ct);
        }
        else if (fed)
        {
            segments.Enqueue(named.Owner.MeetingId, frame.Platform, frame.NativeId, parsed, named.StartTime, ct);
        }
    }

    private void TellWatchers(IReadOnlyList<(string Platform, string NativeId)> meetings)
    {
        foreach (var (platform, nativeId) in meetings)
        {
            if (!_watchers.TryGetValue((platform, nativeId), out var watchers))
            {
                continue;
            }
            var gap = LiveProtocol.Error("upstream_reconnected");
            gap["meeting"] = LiveProtocol.Meeting(platform, nativeId);
            gap["details"] = "The live feed was interrupted and resumed; frames may be missing. Reload GET /transcripts to catch up.";
            var utf8 = JsonSerializer.SerializeToUtf8Bytes(gap); // one array for every watcher
            foreach (var outbox in watchers.Keys)
            {
                outbox.Enqueue(utf8);
            }
        }
    }
}
