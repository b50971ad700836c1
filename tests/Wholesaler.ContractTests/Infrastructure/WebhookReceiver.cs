using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Wholesaler.ContractTests.Infrastructure;

/// <summary>A tiny Kestrel server that records every POST it receives, for webhook tests.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<(string? ContentType, string Body)> _received = Channel.CreateUnbounded<(string?, string)>();

    private WebhookReceiver(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _received.Writer.TryWrite((request.ContentType, await reader.ReadToEndAsync()));
            return Results.Ok();
        });
    }

    /// <summary>The receiver's own address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Address => _app.Urls.First();

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var receiver = new WebhookReceiver(port);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>Waits for the payload about one meeting (others may arrive too), returning its content type and JSON.</summary>
    public async Task<(string? ContentType, JsonObject Payload)> WaitForMeetingAsync(long meetingId, TimeSpan timeout)
    {
        var (contentType, payload) = await WaitForAsync(p => p["id"]?.GetValue<long>() == meetingId, timeout,
            $"No webhook for meeting {meetingId} within {timeout.TotalSeconds} s.");
        return (contentType, payload);
    }

    /// <summary>Every payload received until <paramref name="done"/> holds for them, in arrival order.</summary>
    public async Task<List<JsonObject>> CollectUntilAsync(Func<IReadOnlyList<JsonObject>, bool> done, TimeSpan timeout)
    {
        var all = new List<JsonObject>();
        await WaitForAsync(p =>
        {
            all.Add(p);
            return done(all);
        }, timeout, $"Webhooks so far did not complete within {timeout.TotalSeconds} s: {string.Join(" | ", all.Select(a => a.ToJsonString()))}");
        return all;
    }

    private async Task<(string? ContentType, JsonObject Payload)> WaitForAsync(Func<JsonObject, bool> match, TimeSpan timeout, string failure)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var (contentType, body) = await _received.Reader.ReadAsync(cancel.Token);
                if (JsonNode.Parse(body) is JsonObject payload && match(payload))
                {
                    return (contentType, payload);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
