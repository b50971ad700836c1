using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>An end user's webhook endpoint on loopback: records every POST, and can fail the first N of them.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _failuresLeft;

    public sealed record Received(string Body, string? Signature, int Attempt, bool Accepted);

    private WebhookReceiver(int failFirst) => _failuresLeft = failFirst;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var receiver = new WebhookReceiver(failFirst);
        var (app, address) = await Loopback.StartAsync(app => app.MapPost("/hook", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var fail = Interlocked.Decrement(ref receiver._failuresLeft) >= 0;
            receiver.Requests.Enqueue(new Received(body, request.Headers["X-Vexa-Signature"].FirstOrDefault(), receiver.Requests.Count + 1, !fail));
            return fail ? Results.StatusCode(500) : Results.Ok();
        }));
        receiver._app = app;
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
