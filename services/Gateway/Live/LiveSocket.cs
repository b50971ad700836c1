using System.Net.WebSockets;
using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Observability;

namespace VexaService.Gateway.Live;

/// <summary>
/// One client's <c>/ws</c> socket, speaking Vexa's protocol (contract §14) for an authenticated user: <c>subscribe</c>
/// to meetings the user has (another user's meeting is refused exactly like one that does not exist),
/// <c>unsubscribe</c>, <c>ping</c>. It reads the client and answers, and sends what waits in its
/// <see cref="LiveOutbox"/> (the router's frames and its own answers); when the gateway decides to close it (a full
/// queue: 4429, a withdrawn key: 4401, a stopping gateway: 1001, for clients to connect again), it sends that close.
/// Calls go one way: the socket asks the router to watch meetings for its outbox; the router only fills the outbox.
/// </summary>
/// <param name="meter">Counts one client message against its key's rate limit: null when allowed, else the seconds until
/// the window ends (every message counts, as every HTTP request does).</param>
public sealed class LiveSocket(WebSocket socket, long userId, long tokenId, Func<Task<int?>> meter, LiveRouter router, MeetingOwners owners,
    LiveOptions options, VexaMetrics metrics, ILogger logger)
{
    /// <summary>The gateway is stopping (a restart or a scale-in): connect again, another replica answers.</summary>
    public const int GoingAwayClose = (int)WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>How long a client the gateway closes has, from that decision, to take the close and answer it.</summary>
    private static readonly TimeSpan CloseHandshakeTime = TimeSpan.FromSeconds(5);

    private readonly LiveOutbox _outbox = new(userId, options.SendQueueFrames);
    private readonly HashSet<(string Platform, string NativeId)> _watching = [];

    public long UserId { get; } = userId;

    /// <summary>The API key it was opened with.</summary>
    public long TokenId { get; } = tokenId;

    /// <summary>Its key was deleted or has expired: closed 4401, as a socket opened with such a key would be.</summary>
    public void KeyWithdrawn() =>
        _outbox.Close(new LiveClose(LiveApi.Unauthorized, "invalid_api_key: the key was deleted or has expired", "key_withdrawn"));

    /// <summary>Once the gateway decides to close this socket: says why, and cuts off a client that does not take the
    /// close (a send may be stuck on its full network) or does not answer it within <see cref="CloseHandshakeTime"/>,
    /// which also ends the receive loop.</summary>
    private async Task CutOffUnlessClosedAsync()
    {
        if (await _outbox.Closing is not { } close)
        {
            return; // it ended without the gateway closing it
        }
        if (close.Metric is { } reason)
        {
            logger.LogInformation("Closing a /ws client of user {UserId} (key {TokenId}): {Reason}", UserId, TokenId, close.Reason);
            metrics.LiveClosed(reason);
        }
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
        _ = CutOffUnlessClosedAsync();
        using var goingAway = stopping.Register(() => _outbox.Close(new LiveClose(GoingAwayClose, "the server is restarting: connect again", null)));
        try
        {
            // Not cancelled when the gateway closes the client: cancelling a receive aborts the socket, and the close
            // frame (4429, 1001) would never reach the client. Once that close is decided, what the client still sends is
            // read and dropped until its close answers ours (or the cut-off): a client still writing would otherwise
            // block on a full network and never read the close.
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent && await ReceiveAsync(aborted) is { } text)
            {
                if (!_outbox.IsClosing)
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
                router.Unwatch(_outbox, platform, nativeId);
            }
            _outbox.End();
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
            await foreach (var frame in _outbox.Frames.ReadAllAsync())
            {
                if (_outbox.IsClosing)
                {
                    break;
                }
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is LiveOutbox.ClosingException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closed below, or the client is gone
        }
        if (_outbox.Closing is { IsCompleted: true, Result: { } close })
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
            _outbox.Enqueue(limited);
            return;
        }
        var (frame, action) = LiveProtocol.Read(text);
        if (frame is null)
        {
            _outbox.Enqueue(LiveProtocol.Error("invalid_json"));
            return;
        }
        switch (action)
        {
            case "ping":
                _outbox.Enqueue(LiveProtocol.Pong);
                break;
            case "subscribe":
                await SubscribeAsync(frame);
                break;
            case "unsubscribe":
                await UnsubscribeAsync(frame);
                break;
            default:
                _outbox.Enqueue(LiveProtocol.Error("unknown_action"));
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
        _outbox.Enqueue(LiveProtocol.InvalidPayload($"at most {options.MaxMeetingsPerMessage} meetings per message ({count} given)"));
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
            _outbox.Enqueue(LiveProtocol.InvalidPayload(problem));
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
            _outbox.Enqueue(LiveProtocol.AuthorizationServiceError(503, """{"detail":"Could not check your meetings; try again"}"""));
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
                    await router.WatchAsync(_outbox, platform, nativeId);
                }
                subscribed.Add(LiveProtocol.Meeting(platform, nativeId));
            }
        }
        if (refused.Count > 0)
        {
            _outbox.Enqueue(LiveProtocol.InvalidPayload(refused));
        }
        _outbox.Enqueue(LiveProtocol.Answer("subscribed", subscribed));
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
                router.Unwatch(_outbox, platform, nativeId);
            }
            unsubscribed.Add(LiveProtocol.Meeting(platform, nativeId));
        }
        _outbox.Enqueue(LiveProtocol.Answer("unsubscribed", unsubscribed));
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
}
