using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VexaService.Contracts;
using VexaService.Observability;

namespace VexaService.Gateway.Live;

/// <summary>
/// One client's <c>/ws</c> socket, speaking Vexa's protocol (contract §14) for an authenticated user: <c>subscribe</c>
/// to meetings the user has (another user's meeting is refused exactly like one that does not exist),
/// <c>unsubscribe</c>, <c>ping</c>. Frames for the client wait in a bounded queue; a client that lets it fill is closed
/// with 4429 rather than holding memory. A stopping gateway closes its clients with 1001, for them to connect again.
/// </summary>
/// <param name="meter">Counts one client message against its key's rate limit: null when allowed, else the seconds until
/// the window ends (every message counts, as every HTTP request does).</param>
public sealed class LiveSocket(WebSocket socket, long userId, long tokenId, Func<Task<int?>> meter, LiveRelay relay, MeetingOwners owners,
    LiveOptions options, VexaMetrics metrics, ILogger logger)
{
    public const int TooSlowClose = 4429;

    /// <summary>The gateway is stopping (a restart or a scale-in): connect again, another replica answers.</summary>
    public const int GoingAwayClose = (int)WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>How long a client the gateway closes has, from that decision, to take the close and answer it.</summary>
    private static readonly TimeSpan CloseHandshakeTime = TimeSpan.FromSeconds(5);

    // Synchronous continuations: an idle socket's send starts on the thread that queued the frame (and mostly completes
    // there), not after a hop through the thread pool. That is also why the close below is flagged before the queue is
    // completed: the send loop may run inside TryComplete.
    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(options.SendQueueFrames) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = true });
    private readonly HashSet<(string Platform, string NativeId)> _watching = [];
    private Close? _close; // the gateway's close of this socket, once decided (the first decision stands)
    private volatile bool _done;

    public long UserId { get; } = userId;

    /// <summary>The API key it was opened with.</summary>
    public long TokenId { get; } = tokenId;

    /// <summary>Its key was deleted or has expired: closed 4401, as a socket opened with such a key would be.</summary>
    public void KeyWithdrawn()
    {
        if (BeginClose(LiveApi.Unauthorized, "invalid_api_key: the key was deleted or has expired"))
        {
            logger.LogInformation("Closing a /ws client of user {UserId}: its key {TokenId} was deleted or has expired", UserId, TokenId);
            metrics.LiveClosed("key_withdrawn");
        }
    }

    public void Enqueue(string frame) => Enqueue(Encoding.UTF8.GetBytes(frame));

    public void Enqueue(JsonNode frame) => Enqueue(JsonSerializer.SerializeToUtf8Bytes(frame));

    /// <summary>Queues a frame (UTF-8, shared by every socket it goes to: never changed) for the client; a client whose
    /// queue is full is closed (it cannot keep up).</summary>
    public void Enqueue(byte[] frame)
    {
        if (!_outbox.Writer.TryWrite(frame) && !_done && BeginClose(TooSlowClose, "too slow: the send queue is full"))
        {
            logger.LogInformation("Closing a /ws client of user {UserId}: {Frames} frames waiting", UserId, options.SendQueueFrames);
            metrics.LiveClosed("too_slow");
        }
    }

    /// <summary>Decides the gateway's close of this socket (false when one was decided already): nothing more is sent or
    /// handled, the send loop sends the close once it is free, and the client is cut off if it has not answered it
    /// within <see cref="CloseHandshakeTime"/>.</summary>
    private bool BeginClose(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref _close, new Close(code, reason), null) is not null)
        {
            return false;
        }
        _outbox.Writer.TryComplete(new ClosingException());
        _ = CutOffUnlessClosedAsync();
        return true;
    }

    /// <summary>A client that does not take the gateway's close (a send may be stuck on its full network) or does not
    /// answer it is cut off, which also ends the receive loop.</summary>
    private async Task CutOffUnlessClosedAsync()
    {
        await Task.Delay(CloseHandshakeTime);
        if (socket.State != WebSocketState.Closed)
        {
            socket.Abort();
        }
    }

    /// <param name="aborted">The client's connection is gone.</param>
    /// <param name="stopping">The gateway is stopping: the client is closed with <see cref="GoingAwayClose"/>.</param>
    public async Task RunAsync(CancellationToken aborted, CancellationToken stopping)
    {
        var sending = SendLoopAsync();
        using var goingAway = stopping.Register(() => BeginClose(GoingAwayClose, "the server is restarting: connect again"));
        try
        {
            // Not cancelled when the gateway closes the client: cancelling a receive aborts the socket, and the close
            // frame (4429, 1001) would never reach the client. Once that close is decided, what the client still sends is
            // read and dropped until its close answers ours (or the cut-off): a client still writing would otherwise
            // block on a full network and never read the close.
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent && await ReceiveAsync(aborted) is { } text)
            {
                if (!Closing)
                {
                    await HandleAsync(text);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client went away
        }
        finally
        {
            foreach (var (platform, nativeId) in _watching)
            {
                await relay.UnwatchAsync(this, platform, nativeId);
            }
            _done = true;
            _outbox.Writer.TryComplete();
            await sending;
            if (socket.State == WebSocketState.CloseReceived)
            {
                // The client closed: answer with its code, or it sees an abnormal closure (1006 in a browser).
                await CloseQuietlyAsync((int)(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure), socket.CloseStatusDescription ?? "");
            }
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync())
            {
                if (Closing)
                {
                    break;
                }
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is ClosingException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closed below, or the client is gone
        }
        if (Volatile.Read(ref _close) is { } close)
        {
            await CloseQuietlyAsync(close.Code, close.Reason);
        }
    }

    private async Task CloseQuietlyAsync(int code, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // already gone
        }
    }

    private async Task HandleAsync(string text)
    {
        if (await meter() is { } retryAfter)
        {
            metrics.RateLimited("key");
            var limited = LiveProtocol.Error("rate_limited");
            limited["retry_after"] = retryAfter;
            limited["details"] = $"Rate limit exceeded. Retry after {retryAfter} seconds.";
            Enqueue(limited);
            return;
        }
        var (frame, action) = LiveProtocol.Read(text);
        if (frame is null)
        {
            Enqueue(LiveProtocol.Error("invalid_json"));
            return;
        }
        switch (action)
        {
            case "ping":
                Enqueue(LiveProtocol.Pong);
                break;
            case "subscribe":
                await SubscribeAsync(frame);
                break;
            case "unsubscribe":
                await UnsubscribeAsync(frame);
                break;
            default:
                Enqueue(LiveProtocol.Error("unknown_action"));
                break;
        }
    }

    /// <summary>Refuses a subscribe or unsubscribe that names more meetings than one message may, before any query.</summary>
    private bool RefusedAsTooMany(JsonObject frame)
    {
        if (frame["meetings"] is not JsonArray { Count: var count } || count <= options.MaxMeetingsPerMessage)
        {
            return false;
        }
        Enqueue(LiveProtocol.InvalidPayload($"at most {options.MaxMeetingsPerMessage} meetings per message ({count} given)"));
        return true;
    }

    private async Task SubscribeAsync(JsonObject frame)
    {
        if (RefusedAsTooMany(frame))
        {
            return;
        }
        var (meetings, problem) = LiveProtocol.Meetings(frame);
        if (problem is not null)
        {
            Enqueue(LiveProtocol.InvalidPayload(problem));
            return;
        }
        // Every meeting is checked before any is watched, all in one query: like Vexa, a subscribe that cannot be checked
        // takes nothing and says so, and the socket stays open for the client to try again.
        var valid = meetings.Select(m => Platforms.IsKnown(m.Platform) && Platforms.ConstructMeetingUrl(m.Platform, m.NativeId) is not null).ToArray();
        var owned = new bool[meetings.Count];
        try
        {
            var mine = await owners.OwnedAsync(UserId, [.. meetings.Where((_, i) => valid[i])], CancellationToken.None);
            for (var i = 0; i < meetings.Count; i++)
            {
                owned[i] = valid[i] && mine.Contains(meetings[i]);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not check a /ws subscribe of user {UserId}: {Error}", UserId, e.Message);
            Enqueue(LiveProtocol.AuthorizationServiceError(503, """{"detail":"Could not check your meetings; try again"}"""));
            return;
        }
        var subscribed = new JsonArray();
        var refused = new JsonArray();
        for (var i = 0; i < meetings.Count; i++)
        {
            var (platform, nativeId) = meetings[i];
            if (!valid[i])
            {
                refused.Add($"meetings[{i}] invalid native_meeting_id for platform '{platform}'");
            }
            else if (!owned[i])
            {
                refused.Add($"meetings[{i}] not authorized or not found for user");
            }
            else if (!_watching.Contains((platform, nativeId)) && _watching.Count >= options.MaxSubscriptionsPerSocket)
            {
                refused.Add($"meetings[{i}] not subscribed: at most {options.MaxSubscriptionsPerSocket} meetings per connection");
            }
            else
            {
                if (_watching.Add((platform, nativeId)))
                {
                    await relay.WatchAsync(this, platform, nativeId);
                }
                subscribed.Add(LiveProtocol.Meeting(platform, nativeId));
            }
        }
        if (refused.Count > 0)
        {
            Enqueue(LiveProtocol.InvalidPayload(refused));
        }
        Enqueue(LiveProtocol.Answer("subscribed", subscribed));
    }

    private async Task UnsubscribeAsync(JsonObject frame)
    {
        if (RefusedAsTooMany(frame))
        {
            return;
        }
        var unsubscribed = new JsonArray();
        foreach (var (platform, nativeId) in LiveProtocol.Meetings(frame).Meetings)
        {
            if (_watching.Remove((platform, nativeId)))
            {
                await relay.UnwatchAsync(this, platform, nativeId);
            }
            unsubscribed.Add(LiveProtocol.Meeting(platform, nativeId));
        }
        Enqueue(LiveProtocol.Answer("unsubscribed", unsubscribed));
    }

    /// <summary>The client's next message; null when it closed or sent more than 64 KiB at once (then closed 1009).</summary>
    private async Task<string?> ReceiveAsync(CancellationToken ct)
    {
        var message = await WebSocketText.ReceiveAsync(socket, 64 * 1024, ct);
        if (message.TooBig)
        {
            await CloseQuietlyAsync((int)WebSocketCloseStatus.MessageTooBig, "frames are limited to 64 KiB");
        }
        return message.Text;
    }

    private bool Closing => Volatile.Read(ref _close) is not null;

    private sealed record Close(int Code, string Reason);

    private sealed class ClosingException : Exception;
}
