using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace VexaService.Testing;

// Shared by the integration tests (our gateway's /ws) and the contract tests (a Wholesaler's /ws), linked into both.
/// <summary>
/// A test's client socket. One receive loop reads every frame into a queue (a receive cancelled by a timeout would
/// abort the socket); <see cref="Received"/> keeps every frame the test has taken, in order.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly TimeSpan _patience;
    private readonly Channel<JsonObject> _frames = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _receiving;

    /// <param name="patience">How long <see cref="NextAsync"/> and <see cref="ClosedAsync"/> wait (10 s by default).</param>
    public LiveClient(WebSocket socket, TimeSpan? patience = null)
    {
        _socket = socket;
        _patience = patience ?? TimeSpan.FromSeconds(10);
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public List<JsonObject> Received { get; } = [];

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>The next frame (that matches), within the patience; frames passed over are kept in <see cref="Received"/>.</summary>
    public async Task<JsonObject?> NextAsync(Func<JsonObject, bool>? match = null)
    {
        var deadline = DateTime.UtcNow + _patience;
        while (await TakeAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (match is null || match(frame))
            {
                return frame;
            }
        }
        return null;
    }

    /// <summary>Takes every frame that arrives within <paramref name="period"/> into <see cref="Received"/>.</summary>
    public async Task DrainAsync(TimeSpan period)
    {
        var until = DateTime.UtcNow + period;
        while (DateTime.UtcNow < until)
        {
            await TakeAsync(until - DateTime.UtcNow);
        }
    }

    /// <summary>Waits for the server to close the socket; its close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync()
    {
        await Task.WhenAny(_receiving, Task.Delay(_patience));
        return _socket.CloseStatus;
    }

    private async Task<JsonObject?> TakeAsync(TimeSpan within)
    {
        if (within <= TimeSpan.Zero)
        {
            return null;
        }
        using var timeout = new CancellationTokenSource(within);
        try
        {
            var frame = await _frames.Reader.ReadAsync(timeout.Token);
            Received.Add(frame);
            return frame;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _frames.Writer.TryWrite(JsonNode.Parse(message.ToArray())!.AsObject());
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // closed
        }
        _frames.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        await Task.WhenAny(_receiving, Task.Delay(TimeSpan.FromSeconds(2)));
        _socket.Dispose();
    }
}
