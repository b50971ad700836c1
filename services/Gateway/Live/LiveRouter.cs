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
public sealed class LiveRouter(LiveUpstream upstream, MeetingOwners owners, LiveStatusFrames statuses, ILogger<LiveRouter> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<(string Platform, string NativeId), ConcurrentDictionary<LiveOutbox, byte>> _watchers = new();
    // One lane per watched meeting, made and ended with its first and last watcher (under _gate, so that a meeting
    // watched again at once never loses its lane).
    private readonly ConcurrentDictionary<(string Platform, string NativeId), Channel<UpstreamEvent.Frame>> _lanes = new();
    private readonly Lock _gate = new();
    // Lanes that need the database take turns, a few at once: 200 subscriptions answered together by status frames
    // would otherwise take 200 connections at once (queries and transactions), and the subscribes waiting for one.
    private readonly SemaphoreSlim _queries = new(QueriesAtOnce, QueriesAtOnce);
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
            if (watchers.Count == 1)
            {
                _lanes[(platform, nativeId)] = StartLane(platform, nativeId);
            }
        }
        return upstream.HoldAsync(platform, nativeId);
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
                if (_lanes.TryRemove((platform, nativeId), out var lane))
                {
                    lane.Writer.TryComplete();
                }
            }
        }
        upstream.Release(platform, nativeId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await foreach (var e in upstream.Events.ReadAllAsync(stoppingToken))
            {
                switch (e)
                {
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
                var needsQuery = frame.IsStatus || !owners.Knows(platform, nativeId);
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
                    // The frame is lost: its watchers are told, as after an upstream reconnect.
                    logger.LogWarning("A live frame of {Platform}/{NativeId} could not be routed: {Error}", platform, nativeId, e.Message);
                    TellWatchers([(platform, nativeId)]);
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
        if (!_watchers.TryGetValue((platform, nativeId), out var watchers) || watchers.IsEmpty)
        {
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
        foreach (var outbox in watchers.Keys.Where(o => o.UserId == owner.UserId))
        {
            outbox.Enqueue(utf8);
        }
        if (status is not null)
        {
            await statuses.FollowAsync(owner.MeetingId, status, frame.Issuer, ct);
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
