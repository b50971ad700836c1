using System.Net.WebSockets;
using System.Text;

namespace VexaService.Shared.Api;

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
    public static async Task<Message> ReceiveAsync(WebSocket socket, int maxBytes, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new Message(null, false);
            }
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
}
