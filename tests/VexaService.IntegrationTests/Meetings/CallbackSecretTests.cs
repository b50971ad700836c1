using System.Net;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Transcripts;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The Wholesaler's callback path carries our secret; whoever reads logs or traces must not learn it. Callbacks go
/// through a gateway to Transcripts and succeed, are refused (unknown meeting, broken or duplicate-key JSON), fail in
/// Transcripts (its database unreachable: a 503 it logs) and fail in the gateway (Transcripts unreachable).
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class CallbackSecretTests(RetailerFixture fixture)
{
    private const string Callback = "/internal/wholesaler-webhook/" + TestEnvironment.CallbackSecret;

    [Fact]
    public async Task The_callback_secret_appears_in_no_log_record_span_metric_or_error_body()
    {
        var (_, wholesalerId, meetId) = await fixture.SeedMeetingAsync(await fixture.NewUserAsync());
        using var capture = new TelemetryCapture();
        var closedPort = $"http://127.0.0.1:{Loopback.FreePort()}";
        await using var transcripts = StartTranscripts(capture, TestEnvironment.Postgres);
        await using var transcriptsWithoutDatabase = StartTranscripts(capture, "Host=127.0.0.1;Port=1;Database=vexa;Username=postgres;Timeout=1");
        await using var gateway = capture.Attach(Gateway(transcripts.Url));
        await using var gatewayToDatabaseless = capture.Attach(Gateway(transcriptsWithoutDatabase.Url));
        await using var gatewayToNothing = capture.Attach(Gateway(closedPort));

        var completed = $$"""{"id":{{wholesalerId}},"platform":"google_meet","native_meeting_id":"{{meetId}}","status":"completed"}""";
        var answers = new List<(HttpStatusCode Expected, HttpResponseMessage Actual)>
        {
            (HttpStatusCode.OK, await PostAsync(gateway.CreateClient(), completed)),
            (HttpStatusCode.NotFound, await PostAsync(gateway.CreateClient(), """{"id":987654321987,"status":"completed"}""")),
            (HttpStatusCode.UnprocessableEntity, await PostAsync(gateway.CreateClient(), "{")),
            (HttpStatusCode.UnprocessableEntity, await PostAsync(gateway.CreateClient(), """{"id":1,"id":2}""")),
            (HttpStatusCode.ServiceUnavailable, await PostAsync(gatewayToDatabaseless.CreateClient(), completed)),
            (HttpStatusCode.ServiceUnavailable, await PostAsync(gatewayToNothing.CreateClient(), completed)),
        };
        var bodies = new List<string>();
        foreach (var (expected, actual) in answers)
        {
            bodies.Add(await actual.Content.ReadAsStringAsync());
            Assert.True(expected == actual.StatusCode, $"expected {expected}, got {actual.StatusCode}: {bodies[^1]}");
        }
        await Task.Delay(500); // spans end (and are exported) just after their responses

        var leaks = Leaks("log", capture.Logs).Concat(Leaks("span", capture.Spans)).Concat(Leaks("metric", capture.Metrics))
            .Concat(Leaks("body", bodies)).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.GroupBy(l => l[..l.IndexOf(':')])
            .Select(g => $"{g.Count()} × {g.Key}, e.g. {g.First()}")));
        // Looking in the right places: the callback's spans and the logged 503 were captured, with the secret redacted.
        Assert.Contains(capture.Spans, s => s.Contains("url.path=/internal/wholesaler-webhook/{secret}"));
        Assert.Contains(capture.Spans, s => s.StartsWith("Client") && s.Contains("/internal/wholesaler-webhook/{secret}"));
        Assert.Contains(capture.Logs, l => l.Contains("Unhandled error on POST /internal/wholesaler-webhook/{secret}"));
        Assert.Contains(capture.Metrics, m => m.Contains("http.route=/internal/wholesaler-webhook/{secret}"));
    }

    [Fact]
    public async Task The_secret_can_be_rotated_without_refusing_a_callback_on_the_way()
    {
        const string rotated = "a-new-callback-secret-0123456789abcdef";
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Webhooks:CallbackSecret"] = rotated,
            ["Webhooks:PreviousCallbackSecret"] = TestEnvironment.CallbackSecret,
            ["Webhooks:DispatcherEnabled"] = "false",
        });
        var http = transcripts.CreateClient();
        static StringContent UnknownMeeting() => HttpExtensions.RawJson("""{"id":987654321987,"status":"completed"}""");

        // Both secrets reach the relay (which finds no such meeting); any other is refused before the body is read.
        foreach (var secret in new[] { rotated, TestEnvironment.CallbackSecret })
        {
            var answer = await http.SendAsync(HttpMethod.Post, "/internal/wholesaler-webhook/" + secret, content: UnknownMeeting());
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal("Unknown meeting", await answer.DetailAsync());
        }
        var wrong = await http.SendAsync(HttpMethod.Post, "/internal/wholesaler-webhook/" + rotated[..^1] + "X", content: UnknownMeeting());
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal("Not Found", await wrong.DetailAsync());
    }

    private static List<string> Leaks(string kind, IEnumerable<string> texts) =>
        texts.Where(text => text.Contains(TestEnvironment.CallbackSecret)).Select(text => $"{kind}: {text}").ToList();

    private sealed record Running(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<TranscriptsMarker> Factory, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    private Running StartTranscripts(TelemetryCapture capture, string database)
    {
        var port = Loopback.FreePort();
        var factory = capture.Attach(new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = database,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["Logging:LogLevel:Default"] = "Information", // as deployed, not the tests' quieter default
            ["urls"] = $"http://127.0.0.1:{port}", // a port of its own (UseKestrel(port) does not survive WithWebHostBuilder)
        }));
        factory.UseKestrel();
        factory.StartServer();
        return new Running(factory, $"http://127.0.0.1:{port}");
    }

    private static ServiceFactory<GatewayMarker> Gateway(string transcriptsUrl) => new(new Dictionary<string, string?>
    {
        ["services:admin-api:http:0"] = transcriptsUrl,
        ["services:bot-manager:http:0"] = transcriptsUrl,
        ["services:transcripts:http:0"] = transcriptsUrl,
        ["Logging:LogLevel:Default"] = "Information",
    });

    private static Task<HttpResponseMessage> PostAsync(HttpClient gateway, string body) =>
        gateway.SendAsync(HttpMethod.Post, Callback, content: HttpExtensions.RawJson(body));
}
