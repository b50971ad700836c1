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
    private readonly WebApplication _app;
    private int _failuresLeft;

    public sealed record Received(string Body, string? Signature, int Attempt, bool Accepted);

    private WebhookReceiver(WebApplication app, int failFirst) => (_app, _failuresLeft) = (app, failFirst);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failFirst);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var fail = Interlocked.Decrement(ref receiver._failuresLeft) >= 0;
            receiver.Requests.Enqueue(new Received(body, request.Headers["X-Vexa-Signature"].FirstOrDefault(), receiver.Requests.Count + 1, !fail));
            return fail ? Results.StatusCode(500) : Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
