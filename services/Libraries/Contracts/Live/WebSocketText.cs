using System.Net.WebSockets;
using System.Text;

namespace VexaService.Contracts;

/// <summary>Reading whole text messages from a WebSocket (Vexa's <c>/ws</c> frames are JSON text messages).</summary>
public static class WebSocketText
{
    public readonly record struct Message(byte[]? Utf8, bool TooBig)
    {
        /// <summary>The peer closed the socket.</summary>
        public bool Closed => Utf8 is null && !TooBig;

        public string? Text => Utf8 is null ? null : Encoding.UTF8.GetString(Utf8);
    }

    /// <summary>The next whole text message; <see cref="Message.TooBig"/> when it passes <paramref name="maxBytes"/>
    /// (the rest of it is not read), <see cref="Message.Closed"/> when the peer closed.</summary>
    /// <param name="buffer">What one read fills: a socket that reads often keeps one (a reader of 1,000 frames a second
    /// would otherwise make as many buffers); by default a small one for this message, as it is held while the socket
    /// waits, and a server with many idle sockets wants that small (a client's subscribe is a few hundred bytes).</param>
    public static async Task<Message> ReceiveAsync(WebSocket socket, int maxBytes, CancellationToken ct, byte[]? buffer = null)
    {
        buffer ??= new byte[1024];
        MemoryStream? message = null; // only for a message longer than the buffer
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new Message(null, false);
                }
                if (message is null && result.EndOfMessage)
                {
                    return result.Count > maxBytes ? new Message(null, true) : new Message(buffer.AsSpan(0, result.Count).ToArray(), false);
                }
                message ??= new MemoryStream();
                message.Write(buffer, 0, result.Count);
                if (message.Length > maxBytes)
                {
                    return new Message(null, true);
                }
                if (result.EndOfMessage)
                {
                    return new Message(message.ToArray(), false);
                }
            }
        }
        finally
        {
            message?.Dispose();
        }
    }
}
