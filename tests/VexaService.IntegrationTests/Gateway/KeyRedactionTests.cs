using System.Net.WebSockets;
using System.Text;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// Browsers cannot set headers on a WebSocket, so <c>/ws</c> also takes the key as <c>?api_key=</c> (as Vexa does): a
/// key in a URL must still appear in no log record and no span, at the level a developer debugs with.
/// </summary>
public sealed class KeyRedactionTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_key_sent_in_the_ws_query_appears_in_no_log_record_and_no_span()
    {
        var ct = TestContext.Current.CancellationToken;
        using var capture = new TelemetryCapture();
        var port = Loopback.FreePort();
        await using var gateway = capture.Attach(fixture.NewGateway(new()
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        }));
        gateway.UseKestrel();
        gateway.StartServer();
        var key = await fixture.NewUserKeyAsync();

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws?api_key={key}"), ct);
            await socket.SendAsync(Encoding.UTF8.GetBytes("""{"action":"ping"}"""), WebSocketMessageType.Text, true, ct);
            var buffer = new byte[4096];
            var pong = await socket.ReceiveAsync(buffer, ct);
            Assert.Equal("""{"type":"pong"}""", Encoding.UTF8.GetString(buffer, 0, pong.Count)); // the key was taken
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        }
        // The same key in the query of an ordinary request (where it is not a credential) is not written down either.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await http.GetAsync($"/meetings?api_key={key}", ct);

        // The socket's request span ends when it closes: wait for this gateway's two spans (other tests' services in this
        // process write spans too), so that the test sees what it checks.
        bool Served(string path) => capture.Spans.Any(s => s.Contains($"url.path={path}", StringComparison.Ordinal)
            && s.Contains($"server.port={port}", StringComparison.Ordinal));
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(Served("/ws") && Served("/meetings")));
        Assert.NotEmpty(capture.Logs);
        Assert.DoesNotContain(capture.Spans, s => s.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Logs, l => l.Contains(key, StringComparison.Ordinal));
    }
}
