using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>
/// An end user's webhook endpoint on loopback: records every POST with its headers, and can fail the first N of them,
/// answer slowly, or answer with a large body (counting how much of it was actually taken by the sender).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _failuresLeft;
    private long _bodyBytesSent;

    public sealed record Received(string Body, IReadOnlyDictionary<string, string> Headers, int Attempt, bool Accepted, DateTime At)
    {
        public string? Signature => Headers.GetValueOrDefault("X-Vexa-Signature");
        public string? WebhookId => Headers.GetValueOrDefault("webhook-id");
    }

    private WebhookReceiver(int failFirst) => _failuresLeft = failFirst;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    /// <summary>Bytes of the answer's body the sender took (written without error) before it went away.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _bodyBytesSent);

    /// <param name="delay">How long each answer takes.</param>
    /// <param name="answerBytes">The size of each answer's body (zeros), written in 64 KiB pieces.</param>
    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0, TimeSpan? delay = null, long answerBytes = 0)
    {
        var receiver = new WebhookReceiver(failFirst);
        var (app, address) = await Loopback.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            var request = context.Request;
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var fail = Interlocked.Decrement(ref receiver._failuresLeft) >= 0;
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver.Requests.Enqueue(new Received(body, headers, receiver.Requests.Count + 1, !fail, DateTime.UtcNow));
            if (delay is { } wait)
            {
                await Task.Delay(wait);
            }
            context.Response.StatusCode = fail ? 500 : 200;
            if (answerBytes > 0)
            {
                var piece = new byte[64 * 1024];
                try
                {
                    for (long sent = 0; sent < answerBytes; sent += piece.Length)
                    {

                        await context.Response.Body.WriteAsync(piece, context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                        Interlocked.Add(ref receiver._bodyBytesSent, piece.Length);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
                {
                    // the sender went away without reading the rest, as it should
                }
            }
        }));
        receiver._app = app;
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
