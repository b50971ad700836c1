using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaDateTime = VexaService.Contracts.VexaDateTime;
using LiveProtocol = VexaService.Contracts.LiveProtocol;
using WebSocketText = VexaService.Contracts.WebSocketText;

namespace VexaService.WholesalerEmulator.Services;

public sealed class LiveSessionFactory(MeetingStore store, RequestStats stats, IOptions<EmulatorOptions> options, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<WebSocket, byte> _open = new();

    /// <summary>Runs a session for the socket, known to <see cref="DropAll"/> while it lasts.</summary>
    public async Task RunAsync(WebSocket socket, ApiKeyCheck key, CancellationToken aborted)
    {
        _open[socket] = 0;
        try
        {
            await new LiveSession(socket, key, store, stats, options.Value, time).RunAsync(aborted);
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
/// looking at its newest meeting every <see cref="EmulatorOptions.LivePollMs"/>, from the subscribe on (nothing earlier
/// is replayed): a new status is a
/// <c>meeting.status</c> frame, segments that appeared or changed a <c>transcript.mutable</c> frame, and when the meeting
/// ends the segments not sent as final yet a <c>transcript.finalized</c> frame. Frames carry no meeting id, as Vexa's.
/// </summary>
public sealed class LiveSession(WebSocket socket, ApiKeyCheck key, MeetingStore store, RequestStats stats, EmulatorOptions options, TimeProvider time)
{
    private const int MissingKeyClose = 4401;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Dictionary<(string Platform, string NativeId), CancellationTokenSource> _watching = [];

    public async Task RunAsync(CancellationToken aborted)
    {
        if (key == ApiKeyCheck.Missing)
        {
            await SendAsync(LiveProtocol.Error("missing_api_key"), aborted);
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
            await AnswerCloseAsync();
        }
    }

    /// <summary>A client's close is answered with its code, as Vexa's server does (a browser would otherwise see 1006).</summary>
    private async Task AnswerCloseAsync()
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }
        await _sending.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client is gone
        }
        finally
        {
            _sending.Release();
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
                stats.CountLiveSubscriptionChange();
                await SubscribeAsync(frame, ct);
                break;
            case "unsubscribe":
                stats.CountLiveSubscriptionChange();
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
            await SendAsync(LiveProtocol.AuthorizationServiceError(403, """{"detail":"Invalid API token"}"""), ct);
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

    private Task WatchAsync(string platform, string nativeId, CancellationToken ct) =>
        store.Generation.SendsV1Frames ? WatchRowAsync(platform, nativeId, ct) : WatchNewestAsync(platform, nativeId, ct);

    private async Task WatchNewestAsync(string platform, string nativeId, CancellationToken ct)
    {
        string? status = null;
        long? meetingId = null;
        int sent = 0, sentFinal = 0;
        var ended = false;
        // Like Vexa (it forwards what is published after the subscribe; clients load GET /transcripts first), the
        // meeting's present state is not sent: only what changes from now on. A meeting that begins on this native id
        // later is sent from its start.
        if (store.Live(platform, nativeId, null, 0, 0, fromNow: true) is { } start)
        {
            (meetingId, status, sent, sentFinal, ended) = (start.MeetingId, start.Status, start.Visible, start.Final, MeetingStatus.IsFinal(start.Status));
        }
        var meeting = LiveProtocol.Meeting(platform, nativeId);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (store.Live(platform, nativeId, meetingId, sent, sentFinal) is { } view)
                {
                    if (view.MeetingId != meetingId)
                    {
                        (meetingId, ended) = (view.MeetingId, false); // another meeting is now the newest on this native id
                    }
                    var now = VexaDateTime.UtcNow(time);
                    if (view.Status != status)
                    {
                        status = view.Status;
                        await SendAsync(Frame("meeting.status", meeting, new JsonObject { ["status"] = status }, VexaDateTime.Naive(now)), ct);
                    }
                    if (view.Changed.Count > 0)
                    {
                        var changed = new JsonArray([.. view.Changed.Select(Json)]);
                        await SendAsync(Frame("transcript.mutable", meeting, new JsonObject { ["segments"] = changed }, WithOffset(now)), ct);
                    }
                    (sent, sentFinal) = (view.Visible, view.Final);
                    if (MeetingStatus.IsFinal(view.Status) && !ended)
                    {
                        ended = true; // what the bot heard is written to the database: every segment, once, as final
                        var final = new JsonArray([.. view.All().Select(segment => (JsonNode)new JsonObject
                        {
                            ["start"] = segment.Start, ["end"] = segment.End, ["text"] = segment.Text, ["language"] = segment.Language,
                            ["speaker"] = segment.Speaker, ["session_uid"] = $"emulator-{platform}-{nativeId}",
                        })]);
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

    /// <summary>
    /// Vexa 0.12's subscription (vexa-0.12.md §5): the meeting row found at the subscribe, kept whatever begins on the
    /// native id later, its frames naming the row. Each new or newly final segment goes out as the bot sends it (its
    /// <c>segment</c>; on Teams a speaker snapshot with that speaker's whole pending set) and again as the collector
    /// republishes it (per speaker: <c>confirmed</c>/<c>pending</c>, with the meeting's platform and native id); a segment
    /// taken back is a <c>transcript_retract</c>, or on Teams, while it is pending, missing from its speaker's next
    /// snapshot. Statuses name the row too.
    /// </summary>
    private async Task WatchRowAsync(string platform, string nativeId, CancellationToken ct)
    {
        if (store.Live(platform, nativeId, null, 0, 0, fromNow: true) is not { } start)
        {
            return;
        }
        var row = start.MeetingId;
        var (status, sent, sentFinal) = (start.Status, start.Visible, start.Final);
        var retracted = start.Retracted.ToHashSet();
        var teams = platform == Platforms.Teams;
        var id = new JsonObject { ["id"] = row };
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (store.Live(platform, nativeId, row, sent, sentFinal, pinned: row) is { } view)
                {
                    var ts = WithOffset(VexaDateTime.UtcNow(time));
                    if (view.Status != status)
                    {
                        status = view.Status;
                        await SendAsync(new JsonObject
                        {
                            ["type"] = "meeting.status",
                            ["meeting"] = new JsonObject { ["id"] = row, ["platform"] = view.Platform, ["native_id"] = view.NativeId },
                            ["payload"] = new JsonObject { ["status"] = status }, ["user_id"] = 1, ["ts"] = ts,
                        }, ct);
                    }
                    var changed = view.Changed.Select((segment, i) => (Segment: segment, K: view.ChangedIndexes[i])).ToList();
                    var gone = view.Retracted.Where(retracted.Add).ToList();
                    var speakers = changed.Select(c => c.Segment.Speaker ?? "").ToHashSet();
                    var all = teams || gone.Count > 0 ? view.All() : [];
                    // A Teams segment taken back while pending is simply missing from its speaker's next snapshot.
                    var pendingGone = teams ? gone.Where(k => k < all.Count && all[k].CreatedAt is null).ToList() : [];
                    speakers.UnionWith(pendingGone.Select(k => all[k].Speaker ?? ""));
                    if (gone.Except(pendingGone).ToList() is { Count: > 0 } withdrawn)
                    {
                        await SendAsync(new JsonObject
                        {
                            ["type"] = "transcript_retract", ["meeting"] = id.DeepClone(),
                            ["segment_ids"] = new JsonArray([.. withdrawn.Select(k => (JsonNode)V1Segment.Id(row, k))]),
                        }, ct);
                    }
                    if (teams)
                    {
                        foreach (var speaker in speakers)
                        {
                            // The bot's snapshot: what it confirmed now, and the speaker's whole pending set.
                            await SendAsync(new JsonObject
                            {
                                ["type"] = "transcript", ["meeting"] = id.DeepClone(), ["speaker"] = speaker,
                                ["confirmed"] = V1List(changed.Where(c => c.Segment.Speaker == speaker && c.Segment.CreatedAt is not null), row),
                                ["pending"] = V1List(all.Select((segment, k) => (segment, k))
                                    .Where(x => x.segment.Speaker == speaker && x.segment.CreatedAt is null && !retracted.Contains(x.k)), row),
                            }, ct);
                        }
                    }
                    else
                    {
                        foreach (var (segment, k) in changed)
                        {
                            await SendAsync(new JsonObject
                            {
                                ["type"] = "transcript", ["meeting"] = id.DeepClone(), ["segment"] = V1Segment.Of(segment, row, k),
                            }, ct);
                        }
                    }
                    foreach (var speaker in changed.Select(c => c.Segment.Speaker ?? "").Distinct())
                    {
                        // The collector's republish of the batch it ingested, segments a second time.
                        var mine = changed.Where(c => (c.Segment.Speaker ?? "") == speaker).ToList();
                        await SendAsync(new JsonObject
                        {
                            ["type"] = "transcript",
                            ["meeting"] = new JsonObject { ["id"] = row, ["native_id"] = view.NativeId, ["platform"] = view.Platform },
                            ["speaker"] = speaker,
                            ["confirmed"] = V1List(mine.Where(c => c.Segment.CreatedAt is not null), row, ts),
                            ["pending"] = V1List(mine.Where(c => c.Segment.CreatedAt is null), row, ts),
                            ["ts"] = ts,
                        }, ct);
                    }
                    (sent, sentFinal) = (view.Visible, view.Final);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(options.LivePollMs), time, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // unsubscribed, or the socket is gone
        }
    }

    private static JsonArray V1List(IEnumerable<(TranscriptSegment Segment, int K)> segments, long row, string? updatedAt = null) =>
        new([.. segments.Select(x =>
        {
            var segment = V1Segment.Of(x.Segment, row, x.K);
            if (updatedAt is not null)
            {
                segment["updated_at"] = updatedAt;
            }
            return (JsonNode)segment;
        })]);

    private static JsonNode Json(TranscriptSegment segment) =>
        JsonSerializer.SerializeToNode(segment, EmulatorJsonContext.Web.TranscriptSegment)!;

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
