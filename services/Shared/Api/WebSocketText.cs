using System.Net.WebSockets;
using System.Text;

namespace VexaService.Shared.Api;

/// <summary>Reading whole text messages from a WebSocket (Vexa's <c>/ws</c> frames are JSON text messages).</summary>
public static class WebSocketText
{
    public readonly record struct Message(string? Text, bool TooBig)
    {
        /// <summary>The peer closed the socket.</summary>
        public bool Closed => Text is null && !TooBig;
    }

    /// <summary>The next whole text message; <see cref="Message.TooBig"/> when it passes <paramref name="maxBytes"/>
    /// (the rest of it is not read), <see cref="Message.Closed"/> when the peer closed.</summary>
    public static async Task<Message> ReceiveAsync(WebSocket socket, int maxBytes, CancellationToken ct)
    {
        var buffer = new byte[4096];
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
                return new Message(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length), false);
            }
        }
    }
}
