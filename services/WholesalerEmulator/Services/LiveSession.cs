using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.Shared.Api;
using VexaService.Shared.Json;

namespace VexaService.WholesalerEmulator.Services;

public sealed class LiveSessionFactory(MeetingStore store, IOptions<EmulatorOptions> options, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<WebSocket, byte> _open = new();

    /// <summary>Runs a session for the socket, known to <see cref="DropAll"/> while it lasts.</summary>
    public async Task RunAsync(WebSocket socket, ApiKeyCheck key, CancellationToken aborted)
    {
        _open[socket] = 0;
        try
        {
            await new LiveSession(socket, key, store, options.Value, time).RunAsync(aborted);
        }
        finally
        {
            _open.TryRemove(socket, out _);
        }
    }

    /// <summary>Cuts every open socket (a control endpoint: a network failure between the Retailer and Vexa).</summary>
    public int DropAll()
    {
        var sockets = _open.Keys.ToList();
        foreach (var socket in sockets)
        {
            socket.Abort();
        }
        return sockets.Count;
    }
}

/// <summary>
/// One client socket of the emulator's <c>/ws</c> (contract §14). Each subscribed (platform, native id) is watched by
/// looking at its newest meeting every <see cref="EmulatorOptions.LivePollMs"/>: a new status is a
/// <c>meeting.status</c> frame, segments that appeared or changed a <c>transcript.mutable</c> frame, and when the meeting
/// ends the segments not sent as final yet a <c>transcript.finalized</c> frame. Frames carry no meeting id, as Vexa's.
/// </summary>
public sealed class LiveSession(WebSocket socket, ApiKeyCheck key, MeetingStore store, EmulatorOptions options, TimeProvider time)
{
    private const int MissingKeyClose = 4401;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Dictionary<(string Platform, string NativeId), CancellationTokenSource> _watching = [];

    public async Task RunAsync(CancellationToken aborted)
    {
        if (key == ApiKeyCheck.Missing)
        {
            await SendAsync(new JsonObject { ["type"] = "error", ["error"] = "missing_api_key" }, aborted);
            await socket.CloseAsync((WebSocketCloseStatus)MissingKeyClose, "missing_api_key", aborted);
            return;
        }
        try
        {
            while (socket.State == WebSocketState.Open && await ReceiveAsync(aborted) is { } text)
            {
                await HandleAsync(text, aborted);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client went away
        }
        finally
        {
            foreach (var watch in _watching.Values)
            {
                await watch.CancelAsync();
            }
        }
    }

    private async Task HandleAsync(string text, CancellationToken ct)
    {
        var (frame, action) = LiveProtocol.Read(text);
        if (frame is null)
        {
            await SendAsync(LiveProtocol.Error("invalid_json"), ct);
            return;
        }
        switch (action)
        {
            case "ping":
                await SendAsync(new JsonObject { ["type"] = "pong" }, ct);
                break;
            case "subscribe":
                await SubscribeAsync(frame, ct);
                break;
            case "unsubscribe":
                await UnsubscribeAsync(frame, ct);
                break;
            default:
                await SendAsync(LiveProtocol.Error("unknown_action"), ct);
                break;
        }
    }

    private async Task SubscribeAsync(JsonObject frame, CancellationToken ct)
    {
        var (meetings, problem) = LiveProtocol.Meetings(frame);
        if (problem is not null)
        {
            await SendAsync(LiveProtocol.InvalidPayload(problem), ct);
            return;
        }
        if (key != ApiKeyCheck.Valid)
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "error", ["error"] = "authorization_service_error", ["status"] = 403,
                ["detail"] = """{"detail":"Invalid API token"}""",
            }, ct);
            return;
        }
        var subscribed = new JsonArray();
        var refused = new JsonArray();
        for (var i = 0; i < meetings.Count; i++)
        {
            var (platform, nativeId) = meetings[i];
            if (Platforms.ConstructMeetingUrl(platform, nativeId) is null && platform != Platforms.Teams)
            {
                refused.Add($"meetings[{i}] invalid native_meeting_id for platform '{platform}'");
            }
            else if (store.Transcript(platform, nativeId, null) is null)
            {
                refused.Add($"meetings[{i}] not authorized or not found for user");
            }
            else
            {
                subscribed.Add(LiveProtocol.Meeting(platform, nativeId));
                if (!_watching.ContainsKey((platform, nativeId)))
                {
                    var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    _watching[(platform, nativeId)] = watch;
                    _ = WatchAsync(platform, nativeId, watch.Token);
                }
            }
        }
        if (refused.Count > 0)
        {
            await SendAsync(LiveProtocol.InvalidPayload(refused), ct);
        }
        await SendAsync(LiveProtocol.Answer("subscribed", subscribed), ct);
    }

    private async Task UnsubscribeAsync(JsonObject frame, CancellationToken ct)
    {
        var unsubscribed = new JsonArray();
        foreach (var (platform, nativeId) in LiveProtocol.Meetings(frame).Meetings)
        {
            if (_watching.Remove((platform, nativeId), out var watch))
            {
                await watch.CancelAsync();
            }
            unsubscribed.Add(LiveProtocol.Meeting(platform, nativeId));
        }
        await SendAsync(LiveProtocol.Answer("unsubscribed", unsubscribed), ct);
    }

    private async Task WatchAsync(string platform, string nativeId, CancellationToken ct)
    {
        string? status = null;
        var sent = new Dictionary<double, string>();   // segment start → its JSON as last sent
        var finalized = new HashSet<double>();
        var meeting = LiveProtocol.Meeting(platform, nativeId);
        byte[]? seen = null; // the store hands out the same bytes until the transcript changes: nothing new to look at
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (store.Transcript(platform, nativeId, null) is { } transcript && !ReferenceEquals(transcript.Utf8Json, seen)
                    && JsonNode.Parse(transcript.Utf8Json) is JsonObject body)
                {
                    seen = transcript.Utf8Json;
                    var now = VexaDateTime.UtcNow(time);
                    var current = body["status"]?.GetValue<string>();
                    if (current != status && current is not null)
                    {
                        status = current;
                        await SendAsync(Frame("meeting.status", meeting, new JsonObject { ["status"] = current }, VexaDateTime.Naive(now)), ct);
                    }
                    var segments = (body["segments"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                    var changed = new JsonArray();
                    foreach (var segment in segments)
                    {
                        var start = segment["start"]!.GetValue<double>();
                        var json = segment.ToJsonString();
                        if (!sent.TryGetValue(start, out var before) || before != json)
                        {
                            sent[start] = json;
                            changed.Add(segment.DeepClone());
                        }
                    }
                    if (changed.Count > 0)
                    {
                        await SendAsync(Frame("transcript.mutable", meeting, new JsonObject { ["segments"] = changed }, WithOffset(now)), ct);
                    }
                    if (MeetingStatus.IsFinal(current ?? ""))
                    {
                        var final = new JsonArray();
                        foreach (var segment in segments.Where(s => finalized.Add(s["start"]!.GetValue<double>())))
                        {
                            final.Add(new JsonObject
                            {
                                ["start"] = segment["start"]!.DeepClone(), ["end"] = segment["end"]!.DeepClone(),
                                ["text"] = segment["text"]!.DeepClone(), ["language"] = segment["language"]?.DeepClone(),
                                ["speaker"] = segment["speaker"]?.DeepClone(), ["session_uid"] = $"emulator-{platform}-{nativeId}",
                            });
                        }
                        if (final.Count > 0)
                        {
                            await SendAsync(Frame("transcript.finalized", meeting, new JsonObject { ["segments"] = final }, WithOffset(now)), ct);
                        }
                    }
                }
                await Task.Delay(TimeSpan.FromMilliseconds(options.LivePollMs), time, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // unsubscribed, or the socket is gone
        }
    }

    private static string? WithOffset(DateTime now) => VexaDateTime.Naive(now) + "+00:00";

    private static JsonObject Frame(string type, JsonObject meeting, JsonObject payload, string? ts) => new()
    {
        ["type"] = type, ["meeting"] = meeting.DeepClone(), ["payload"] = payload, ["ts"] = ts,
    };

    private async Task SendAsync(JsonObject frame, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(frame.ToJsonString());
        await _sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The client's next message: "" (answered invalid_json) when over 64 KiB, null when it closed.</summary>
    private async Task<string?> ReceiveAsync(CancellationToken ct)
    {
        var message = await WebSocketText.ReceiveAsync(socket, 64 * 1024, ct);
        return message.TooBig ? "" : message.Text;
    }
}
