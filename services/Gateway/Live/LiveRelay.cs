using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// This replica's one socket to the Wholesaler's <c>/ws</c>, with the system key. Each (platform, native id) our
/// clients watch is subscribed upstream once, whoever and however many watch it, and unsubscribed when the last one
/// stops. Every frame of a known type goes to the sockets of the meeting's owner (<see cref="MeetingOwners"/>) that
/// watch it, and to nobody else; unknown types are dropped. When the upstream socket drops, it is opened again (1 s,
/// doubling to 10 s), every watched meeting is subscribed again, and the watchers are told frames may be missing.
/// Every replica keeps its own upstream socket, so its clients get each frame once without sticky sessions.
/// A <c>meeting.status</c> frame also moves our meeting (<see cref="MeetingFollower"/>), like the Wholesaler's status
/// webhooks: a push path that works without a public callback address.
/// <para>
/// The one reader of the upstream socket never waits for a query: it hands each frame to its meeting's lane, where the
/// owner is looked up and the status followed in the frame's order, while other meetings' frames flow on. Read in line,
/// a burst of subscriptions (each answered by a status frame, each looked up fresh and followed in a transaction) held
/// back every meeting's frames: scenario (8) measured them 4-5 s behind the Wholesaler, draining for 10 s.
/// </para>
/// </summary>
public sealed class LiveRelay(
    IOptions<LiveOptions> options, IOptions<WholesalerOptions> wholesaler, WholesalerIdentity identity, MeetingOwners owners,
    IServiceScopeFactory scopes, ILogger<LiveRelay> logger)
    : BackgroundService
{
    private static readonly HashSet<string> Relayed = ["transcript.mutable", "transcript.finalized", "meeting.status"];

    private readonly ConcurrentDictionary<(string Platform, string NativeId), ConcurrentDictionary<LiveSocket, byte>> _watchers = new();
    // One lane per watched meeting, made and ended with its first and last watcher (under _gate, so that a meeting
    // watched again at once never loses its lane).
    private readonly ConcurrentDictionary<(string Platform, string NativeId), Channel<(byte[] Utf8, bool IsStatus)>> _lanes = new();
    private readonly Lock _gate = new();
    // Lanes that need the database take turns, a few at once: 200 subscriptions answered together by status frames
    // would otherwise take 200 connections at once (queries and transactions), and the subscribes waiting for one.
    private readonly SemaphoreSlim _queries = new(QueriesAtOnce, QueriesAtOnce);
    private const int QueriesAtOnce = 8;
    // Meetings subscribed on the upstream socket: a meeting nobody watches stays subscribed for Live:UpstreamLingerSeconds,
    // so that subscribe/unsubscribe churn by clients costs the Wholesaler (to which we are one rate-limited user) nothing.
    private readonly ConcurrentDictionary<(string Platform, string NativeId), byte> _upstreamHeld = new();
    private readonly SemaphoreSlim _upstreamSend = new(1, 1);
    private ClientWebSocket? _upstream;
    private string _issuer = "";
    private CancellationToken _stopping;

    public async Task WatchAsync(LiveSocket socket, string platform, string nativeId)
    {
        var subscribe = false;
        lock (_gate)
        {
            var watchers = _watchers.GetOrAdd((platform, nativeId), _ => new());
            if (watchers.TryAdd(socket, 0) && watchers.Count == 1)
            {
                _lanes[(platform, nativeId)] = StartLane(platform, nativeId);
                subscribe = _upstreamHeld.TryAdd((platform, nativeId), 0);
            }
        }
        if (subscribe)
        {
            await SendUpstreamAsync("subscribe", [(platform, nativeId)]);
        }
    }

    public Task UnwatchAsync(LiveSocket socket, string platform, string nativeId)
    {
        var last = false;
        lock (_gate)
        {
            if (_watchers.TryGetValue((platform, nativeId), out var watchers) && watchers.TryRemove(socket, out _) && watchers.IsEmpty)
            {
                _watchers.TryRemove((platform, nativeId), out _);
                if (_lanes.TryRemove((platform, nativeId), out var lane))
                {
                    lane.Writer.TryComplete();
                }
                last = true;
            }
        }
        if (last)
        {
            _ = UnsubscribeUnlessWatchedAsync(platform, nativeId);
        }
        return Task.CompletedTask;
    }

    /// <summary>After the linger, unsubscribes upstream a meeting that nobody has watched again meanwhile.</summary>
    private async Task UnsubscribeUnlessWatchedAsync(string platform, string nativeId)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Value.UpstreamLingerSeconds), _stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_gate)
        {
            if (_watchers.TryGetValue((platform, nativeId), out var watchers) && !watchers.IsEmpty
                || !_upstreamHeld.TryRemove((platform, nativeId), out _))
            {
                return;
            }
        }
        await SendUpstreamAsync("unsubscribe", [(platform, nativeId)]);
    }

    /// <summary>Routes one meeting's frames in their order, apart from every other meeting's.</summary>
    private Channel<(byte[] Utf8, bool IsStatus)> StartLane(string platform, string nativeId)
    {
        // Unbounded: its writer is the upstream reader, which must never wait; what it holds is bounded by the
        // Wholesaler's rate for one meeting times a query's timeout. The lane wakes through the thread pool, so that
        // meetings whose frames arrive together are routed on every core; each socket's send then starts on the lane's
        // thread (LiveSocket). Scenario (8)'s p99 with a hop per frame and per socket: 127 ms; with none (all on the
        // reader's thread, one meeting after another) 27 ms in one run; with the lane's hop 19-43 ms in three.
        var lane = Channel.CreateUnbounded<(byte[] Utf8, bool IsStatus)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _ = Task.Run(async () =>
        {
            await foreach (var (utf8, isStatus) in lane.Reader.ReadAllAsync())
            {
                var needsQuery = isStatus || !owners.Knows(platform, nativeId);
                try
                {
                    if (needsQuery)
                    {
                        await _queries.WaitAsync(_stopping);
                    }
                    try
                    {
                        await RouteAsync(utf8, isStatus, platform, nativeId, _stopping);
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (Address() is not { } address)
        {
            logger.LogWarning("No Wholesaler address for /ws (Live:WholesalerUrl): live transcripts are not relayed");
            return;
        }
        var retry = TimeSpan.FromSeconds(1);
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var upstream = new ClientWebSocket();
            upstream.Options.SetRequestHeader("X-API-Key", wholesaler.Value.ApiKey);
            upstream.Options.CollectHttpResponseDetails = true;
            try
            {
                await upstream.ConnectAsync(address, stoppingToken);
                // Whose meetings its status frames speak of: a Wholesaler id or native id means something only to it.
                _issuer = identity.IssuerFor(upstream.HttpResponseHeaders?.GetValueOrDefault(WholesalerIdentity.InstanceHeader));
                _upstream = upstream;
                retry = TimeSpan.FromSeconds(1);
                List<(string Platform, string NativeId)> watched;
                lock (_gate)
                {
                    // A new socket holds no subscription: the watched meetings are subscribed again, lingering ones dropped.
                    watched = [.. _watchers.Where(w => !w.Value.IsEmpty).Select(w => w.Key)];
                    _upstreamHeld.Clear();
                    foreach (var meeting in watched)
                    {
                        _upstreamHeld.TryAdd(meeting, 0);
                    }
                }
                if (watched.Count > 0)
                {
                    await SendUpstreamAsync("subscribe", watched);
                }
                if (reconnecting)
                {
                    owners.Forget(); // frames, statuses among them, may have been missed while it was down
                    TellWatchers(watched);
                }
                await ReadAsync(upstream, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Live transcripts: the Wholesaler's /ws failed ({Error}); reconnecting in {Delay}", e.Message, retry);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _upstream = null;
            reconnecting = true;
            try
            {
                await Task.Delay(retry, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            retry = TimeSpan.FromSeconds(Math.Min(retry.TotalSeconds * 2, 10));
        }
    }

    private async Task ReadAsync(ClientWebSocket upstream, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (upstream.State == WebSocketState.Open)
        {
            var message = await WebSocketText.ReceiveAsync(upstream, 4 * 1024 * 1024, ct, buffer);
            if (message.Closed)
            {
                throw new WebSocketException("closed by the Wholesaler");
            }
            if (message.Utf8 is { } utf8)
            {
                Dispatch(utf8);
            }
            else
            {
                throw new WebSocketException("a frame of the Wholesaler over 4 MiB"); // the rest of it cannot be skipped
            }
        }
        throw new WebSocketException("the Wholesaler's socket is no longer open");
    }

    /// <summary>
    /// One upstream frame to its meeting's lane, or to nobody. Only its type and meeting are read (a transcript frame's
    /// segments can be hundreds of KB).
    /// </summary>
    private void Dispatch(byte[] utf8)
    {
        var read = LiveFrameHeader.Read(utf8);
        if (read is not { } header || !Relayed.Contains(header.Type))
        {
            if (read?.Type == "error")
            {
                logger.LogWarning("The Wholesaler's /ws answered an error: {Frame}", Encoding.UTF8.GetString(utf8));
            }
            return; // answers to our own subscribes, pongs, and types we do not know
        }
        if (header.Platform is { } platform && header.NativeId is { } nativeId && _lanes.TryGetValue((platform, nativeId), out var lane))
        {
            lane.Writer.TryWrite((utf8, header.Type == "meeting.status"));
        }
    }

    /// <summary>
    /// One frame of the meeting to the owner's watching sockets, or to nobody. Its bytes go out as they came, the same
    /// array to every socket.
    /// </summary>
    private async Task RouteAsync(byte[] utf8, bool isStatus, string platform, string nativeId, CancellationToken ct)
    {
        if (!_watchers.TryGetValue((platform, nativeId), out var watchers) || watchers.IsEmpty)
        {
            return;
        }
        if (await owners.OwnerAsync(platform, nativeId, fresh: isStatus, ct) is not { } owner)
        {
            return;
        }
        var status = isStatus ? JsonNode.Parse(utf8) as JsonObject : null;
        if (owner.AfterHandover)
        {
            // The meeting before it on this native id ended moments ago: only what provably is this meeting's goes on.
            var mine = status is not null
                ? await ConfirmedAsync(owner.MeetingId, status, platform, nativeId, ct) ? utf8 : null
                : LiveHandover.TranscriptFor(utf8, owner.Since);
            if (mine is null)
            {
                return;
            }
            utf8 = mine;
        }
        foreach (var socket in watchers.Keys.Where(s => s.UserId == owner.UserId))
        {
            socket.Enqueue(utf8);
        }
        if (status is not null)
        {
            await FollowStatusAsync(owner.MeetingId, status, ct);
        }
    }

    /// <summary>
    /// Whether the Wholesaler, asked about the meeting we mapped, bears out a status frame (<see cref="LiveHandover"/>):
    /// not when it cannot be asked, or answers about another meeting or for another issuer.
    /// </summary>
    private async Task<bool> ConfirmedAsync(long meetingId, JsonObject frame, string platform, string nativeId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            if (await db.Meetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId, ct) is not { WholesalerMeetingId: { } wholesalerId } meeting)
            {
                return false;
            }
            var client = scope.ServiceProvider.GetRequiredService<WholesalerClient>();
            var truth = await client.GetMeetingAsync(platform, nativeId, wholesalerId, ct);
            return truth is not null && truth.Issuer == meeting.WholesalerIssuer
                && LiveHandover.Confirms(WholesalerMeetingJson.Status(truth.Meeting), WholesalerMeetingJson.Status(frame["payload"]));
        }
        catch (WholesalerUnavailableException e)
        {
            logger.LogInformation("A status frame of {Platform}/{NativeId} after a handover could not be confirmed ({Detail}); withheld",
                platform, nativeId, e.Detail);
            return false;
        }
    }

    /// <summary>Our meeting takes the frame's status (and its time, as the start or end it lacks).</summary>
    private async Task FollowStatusAsync(long meetingId, JsonObject frame, CancellationToken ct)
    {
        if (frame["payload"]?["status"] is not JsonValue status || status.GetValueKind() != JsonValueKind.String)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            if (await db.Meetings.FindAsync([meetingId], ct) is not { } meeting || meeting.WholesalerIssuer != _issuer)
            {
                return; // mapped by another Wholesaler: the same native id there is not this meeting
            }
            var reported = new JsonObject { ["status"] = status.DeepClone() };
            var at = frame["ts"]?.DeepClone();
            if (MeetingStatus.IsFinal(status.GetValue<string>()) && meeting.EndTime is null)
            {
                reported["end_time"] = at;
            }
            else if (status.GetValue<string>() == MeetingStatus.Active && meeting.StartTime is null)
            {
                reported["start_time"] = at;
            }
            await scope.ServiceProvider.GetRequiredService<MeetingFollower>().FollowAsync(meeting, reported, StatusTransition.Wholesaler, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The frame still reaches the watchers; the follower's poll or a webhook brings the row along later.
            logger.LogWarning("Could not follow the status of meeting {MeetingId} from /ws: {Error}", meetingId, e.Message);
        }
    }

    private void TellWatchers(List<(string Platform, string NativeId)> watched)
    {
        foreach (var (platform, nativeId) in watched)
        {
            if (!_watchers.TryGetValue((platform, nativeId), out var watchers))
            {
                continue;
            }
            var gap = LiveProtocol.Error("upstream_reconnected");
            gap["meeting"] = LiveProtocol.Meeting(platform, nativeId);
            gap["details"] = "The live feed was interrupted and resumed; frames may be missing. Reload GET /transcripts to catch up.";
            var utf8 = JsonSerializer.SerializeToUtf8Bytes(gap); // one array for every watcher
            foreach (var socket in watchers.Keys)
            {
                socket.Enqueue(utf8);
            }
        }
    }

    private async Task SendUpstreamAsync(string action, List<(string Platform, string NativeId)> meetings)
    {
        if (_upstream is not { State: WebSocketState.Open } upstream)
        {
            return; // subscribed on (re)connect
        }
        var frame = new JsonObject
        {
            ["action"] = action,
            ["meetings"] = new JsonArray([.. meetings.Select(m => LiveProtocol.Meeting(m.Platform, m.NativeId))]),
        };
        await _upstreamSend.WaitAsync();
        try
        {
            await upstream.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            logger.LogWarning("Could not {Action} upstream ({Error}); done again on reconnect", action, e.Message);
        }
        finally
        {
            _upstreamSend.Release();
        }
    }

    private Uri? Address()
    {
        var configured = options.Value.WholesalerUrl;
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = wholesaler.Value.BaseAddress;
        }
        if (!Uri.TryCreate(configured, UriKind.Absolute, out var http) || (http.Scheme != Uri.UriSchemeHttp && http.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        var ws = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Port = http.Port };
        ws.Path = ws.Path.TrimEnd('/') + "/ws";
        return ws.Uri;
    }
}
