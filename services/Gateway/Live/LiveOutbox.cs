using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace VexaService.Gateway.Live;

/// <summary>The gateway's decision to close a client's socket: its code and reason, and what the metric calls it (none
/// for a stopping gateway).</summary>
public sealed record LiveClose(int Code, string Reason, string? Metric);

/// <summary>
/// The frames waiting for one client's socket, from the router and from the socket's own answers, in a bounded queue;
/// and the gateway's decision to close that socket (the first decision stands). A client that lets the queue fill is to
/// be closed with 4429 rather than hold memory. The socket (<see cref="LiveSocket"/>) sends what is queued and acts on
/// the decision; whoever queues frames knows nothing of the socket.
/// </summary>
public sealed class LiveOutbox(long userId, int capacity)
{
    // Synchronous continuations: an idle socket's send starts on the thread that queued the frame (and mostly completes
    // there), not after a hop through the thread pool. That is also why a close is recorded before the queue is
    // completed: the send loop may run inside TryComplete.
    private readonly Channel<byte[]> _frames = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = true });
    private readonly TaskCompletionSource<LiveClose?> _close = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The user whose socket this is: frames of a meeting go only to its owner's outboxes.</summary>
    public long UserId { get; } = userId;

    public ChannelReader<byte[]> Frames => _frames.Reader;

    /// <summary>Completes with the gateway's decision to close the socket once made, or with null when the socket
    /// ended first.</summary>
    public Task<LiveClose?> Closing => _close.Task;

    public bool IsClosing => _close.Task is { IsCompleted: true, Result: not null };

    public void Enqueue(string frame) => Enqueue(Encoding.UTF8.GetBytes(frame));

    public void Enqueue(JsonNode frame) => Enqueue(JsonSerializer.SerializeToUtf8Bytes(frame));

    /// <summary>Queues a frame (UTF-8, shared by every outbox it goes to: never changed); a full queue closes the socket
    /// (its client cannot keep up). Once the socket ended or a close was decided, the frame is dropped: the close below
    /// is then refused, as the decision is already made.</summary>
    public void Enqueue(byte[] frame)
    {
        if (!_frames.Writer.TryWrite(frame))
        {
            Close(new LiveClose(LiveApi.TooMany, "too slow: the send queue is full", "too_slow"));
        }
    }

    /// <summary>Decides the close (false when one was decided already): nothing more is sent after it.</summary>
    public bool Close(LiveClose close)
    {
        if (!_close.TrySetResult(close))
        {
            return false;
        }
        _frames.Writer.TryComplete(new ClosingException());
        return true;
    }

    /// <summary>The socket is done: frames queued from now on are dropped.</summary>
    public void End()
    {
        // Decided before the queue completes, so that a frame refused from now on never reads as a full queue.
        _close.TrySetResult(null);
        _frames.Writer.TryComplete();
    }

    /// <summary>Ends a send loop's reading when the close was decided.</summary>
    public sealed class ClosingException : Exception;
}
