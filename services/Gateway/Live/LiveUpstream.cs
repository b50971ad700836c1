using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using VexaService.Contracts;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>What the upstream socket hands on: a frame of a meeting, or the news that the socket was opened again.</summary>
public abstract record UpstreamEvent
{
    /// <summary>A frame of a type we relay, read only as far as its type and meeting; its bytes go out as they came.
    /// <paramref name="Issuer"/> is the Wholesaler that sent it (a meeting's ids mean something only to it). A frame of
    /// Vexa 0.12 names its meeting by <paramref name="WholesalerId"/> (a bot's own frames by nothing else): the router
    /// finds its platform and native id, and the meeting it names exactly (<paramref name="Named"/>).</summary>
    public sealed record Frame(string Platform, string NativeId, byte[] Utf8, bool IsStatus, string Issuer, long? WholesalerId = null,
        MeetingOwners.Named? Named = null) : UpstreamEvent;

    /// <summary>The socket dropped and is open again with <paramref name="Meetings"/> subscribed: frames, statuses among
    /// them, may have been missed meanwhile.</summary>
    public sealed record Resumed(IReadOnlyList<(string Platform, string NativeId)> Meetings) : UpstreamEvent;
}

/// <summary>
/// This replica's one socket to the Wholesaler's <c>/ws</c>, with the system key: it subscribes each meeting some
/// client watches (<see cref="HoldAsync"/>) once, and reads. Every frame of a type we relay goes to <see cref="Events"/>
/// (the reader never waits: the channel is unbounded, and what it holds is bounded by the Wholesaler's rate); answers to
/// our own subscribes, pongs and unknown types are dropped. When the socket drops, it is opened again (1 s, doubling to
/// 10 s), every held meeting is subscribed again, and <see cref="UpstreamEvent.Resumed"/> says so. Every replica keeps
/// its own socket, so its clients get each frame once without sticky sessions.
/// </summary>
public sealed class LiveUpstream(
    IOptions<LiveOptions> options, IOptions<WholesalerOptions> wholesaler, WholesalerIdentity identity, ILogger<LiveUpstream> logger)
    : BackgroundService
{
    private static readonly HashSet<string> Relayed =
        ["transcript.mutable", "transcript.finalized", "meeting.status", LiveV1Frames.Transcript, LiveV1Frames.Retract];

    private readonly Channel<UpstreamEvent> _events = Channel.CreateUnbounded<UpstreamEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Lock _gate = new();
    // How many clients' sockets hold each meeting (a count: one socket's release never undoes another's hold; each
    // socket's hold is counted before it can release),
    // and the meetings subscribed on the socket: a meeting released stays subscribed for Live:UpstreamLingerSeconds, so
    // that subscribe/unsubscribe churn by clients costs the Wholesaler (to which we are one rate-limited user) nothing.
    private readonly Dictionary<(string Platform, string NativeId), int> _holds = [];
    private readonly HashSet<(string Platform, string NativeId)> _subscribed = [];
    private readonly SemaphoreSlim _send = new(1, 1);
    // Meetings whose subscribe the Wholesaler has answered on this socket, and those waiting for that answer.
    private readonly Dictionary<(string Platform, string NativeId), DateTime> _confirmed = [];
    private readonly Dictionary<(string Platform, string NativeId), TaskCompletionSource> _confirming = [];
    private volatile ClientWebSocket? _socket;
    private CancellationToken _stopping;

    public ChannelReader<UpstreamEvent> Events => _events.Reader;

    /// <summary>How many times the socket has been opened: frames may have been missed between two numbers.</summary>
    public int Connection { get; private set; }

    /// <summary>Whether the socket is open now (frames are being read).</summary>
    public bool IsOpen => _socket is { State: WebSocketState.Open };

    /// <summary>The Wholesaler the open socket reads from, as meetings' <c>wholesaler_issuer</c> names it.</summary>
    public string? Issuer { get; private set; }

    /// <summary>
    /// Subscribes the meeting again if the Wholesaler confirmed its subscription on the open socket before
    /// <paramref name="since"/>: Vexa 0.12 keeps a subscription on the meeting row it found then, so after a new bot on the
    /// same native id only a new subscription brings the new meeting's frames (harmless on 2025-09, which follows the newest).
    /// </summary>
    public async Task RenewIfOlderAsync(string platform, string nativeId, DateTime since)
    {
        lock (_gate)
        {
            if (!_confirmed.TryGetValue((platform, nativeId), out var confirmed) || confirmed >= since)
            {
                return;
            }
            _confirmed.Remove((platform, nativeId));
        }
        await SendAsync("unsubscribe", [(platform, nativeId)]);
        await SendAsync("subscribe", [(platform, nativeId)]);
    }

    /// <summary>Completes once the Wholesaler has answered the meeting's subscribe on the open socket (a frame of it
    /// published from then on reaches us); at once when it already has.</summary>
    public Task SubscribedAsync(string platform, string nativeId)
    {
        lock (_gate)
        {
            if (_confirmed.ContainsKey((platform, nativeId)))
            {
                return Task.CompletedTask;
            }
            if (!_confirming.TryGetValue((platform, nativeId), out var waiting))
            {
                _confirming[(platform, nativeId)] = waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return waiting.Task;
        }
    }

    /// <summary>A client's socket watches the meeting: subscribed upstream unless it still is (done when this ends).</summary>
    public async Task HoldAsync(string platform, string nativeId)
    {
        bool subscribe;
        lock (_gate)
        {
            Count((platform, nativeId), +1);
            subscribe = _subscribed.Add((platform, nativeId));
        }
        if (subscribe)
        {
            await SendAsync("subscribe", [(platform, nativeId)]);
        }
    }

    /// <summary>A client's socket no longer watches the meeting: when none does, it is unsubscribed upstream after the
    /// linger, unless held again meanwhile.</summary>
    public void Release(string platform, string nativeId)
    {
        bool last;
        lock (_gate)
        {
            last = Count((platform, nativeId), -1) == 0;
        }
        if (last)
        {
            _ = UnsubscribeUnlessHeldAsync(platform, nativeId);
        }
    }

    /// <summary>The meeting's holds after <paramref name="change"/>; a meeting nobody holds has no entry.</summary>
    private int Count((string Platform, string NativeId) meeting, int change)
    {
        var holds = _holds.GetValueOrDefault(meeting) + change;
        if (holds == 0)
        {
            _holds.Remove(meeting);
        }
        else
        {
            _holds[meeting] = holds;
        }
        return holds;
    }

    private async Task UnsubscribeUnlessHeldAsync(string platform, string nativeId)
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
            if (_holds.GetValueOrDefault((platform, nativeId)) > 0 || !_subscribed.Remove((platform, nativeId)))
            {
                return;
            }
            _confirmed.Remove((platform, nativeId));
        }
        await SendAsync("unsubscribe", [(platform, nativeId)]);
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
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-API-Key", wholesaler.Value.ApiKey);
            socket.Options.CollectHttpResponseDetails = true;
            try
            {
                await socket.ConnectAsync(address, stoppingToken);
                // Whose meetings its frames speak of: a Wholesaler id or native id means something only to it.
                var issuer = identity.IssuerFor(socket.HttpResponseHeaders?.GetValueOrDefault(WholesalerIdentity.InstanceHeader));
                List<(string Platform, string NativeId)> held;
                lock (_gate)
                {
                    // A new socket holds no subscription: the held meetings are subscribed again, lingering ones dropped.
                    held = [.. _holds.Where(h => h.Value > 0).Select(h => h.Key)];
                    _subscribed.Clear();
                    _subscribed.UnionWith(held);
                    _confirmed.Clear();
                    Issuer = issuer;
                    Connection++;
                    _socket = socket;
                }
                retry = TimeSpan.FromSeconds(1);
                if (held.Count > 0)
                {
                    await SendAsync("subscribe", held);
                }
                if (reconnecting)
                {
                    _events.Writer.TryWrite(new UpstreamEvent.Resumed(held));
                }
                await ReadAsync(socket, issuer, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Live transcripts: the Wholesaler's /ws failed ({Error}); reconnecting in {Delay}", e.Message, retry);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _socket = null;
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

    private async Task ReadAsync(ClientWebSocket socket, string issuer, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            var message = await WebSocketText.ReceiveAsync(socket, 4 * 1024 * 1024, ct, buffer);
            if (message.Closed)
            {
                throw new WebSocketException("closed by the Wholesaler");
            }
            if (message.Utf8 is not { } utf8)
            {
                throw new WebSocketException("a frame of the Wholesaler over 4 MiB"); // the rest of it cannot be skipped
            }
            // Only the type and meeting are read: a transcript frame's segments can be hundreds of KB.
            var header = LiveFrameHeader.Read(utf8);
            if (header is { Type: var type } && Relayed.Contains(type) && (header.Value.WholesalerId is not null
                || header.Value is { Platform: not null, NativeId: not null }))
            {
                _events.Writer.TryWrite(new UpstreamEvent.Frame(header.Value.Platform ?? "", header.Value.NativeId ?? "", utf8,
                    type == "meeting.status", issuer, header.Value.WholesalerId));
            }
            else if (header?.Type == "subscribed")
            {
                Confirm(utf8);
            }
            else if (header?.Type == "error")
            {
                logger.LogWarning("The Wholesaler's /ws answered an error: {Frame}", Encoding.UTF8.GetString(utf8));
            }
        }
        throw new WebSocketException("the Wholesaler's socket is no longer open");
    }

    /// <summary>The Wholesaler's answer to a subscribe: the meetings it lists are subscribed.</summary>
    private void Confirm(byte[] utf8)
    {
        var meetings = LiveProtocol.Meetings(JsonNode.Parse(utf8) as JsonObject ?? []).Meetings;
        lock (_gate)
        {
            foreach (var meeting in meetings)
            {
                if (_subscribed.Contains(meeting))
                {
                    _confirmed[meeting] = DateTime.UtcNow;
                }
                if (_confirming.Remove(meeting, out var waiting))
                {
                    waiting.TrySetResult();
                }
            }
        }
    }

    private async Task SendAsync(string action, List<(string Platform, string NativeId)> meetings)
    {
        if (_socket is not { State: WebSocketState.Open } socket)
        {
            return; // subscribed on (re)connect
        }
        var frame = new JsonObject
        {
            ["action"] = action,
            ["meetings"] = new JsonArray([.. meetings.Select(m => LiveProtocol.Meeting(m.Platform, m.NativeId))]),
        };
        await _send.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            logger.LogWarning("Could not {Action} upstream ({Error}); done again on reconnect", action, e.Message);
        }
        finally
        {
            _send.Release();
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
