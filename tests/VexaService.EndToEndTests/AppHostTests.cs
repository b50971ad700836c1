using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace VexaService.EndToEndTests;

/// <summary>The whole system as the AppHost starts it, reached only through the gateway.</summary>
[Collection(AppHostCollection.Name)]
public sealed partial class AppHostTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    private readonly HttpClient _gateway = fixture.App.CreateHttpClient("gateway");

    [Fact]
    public async Task Every_resource_is_healthy_and_the_gateway_answers_health()
    {
        var model = fixture.App.Services.GetService(typeof(DistributedApplicationModel)) as DistributedApplicationModel;
        Assert.NotNull(model);
        foreach (var name in AppHostFixture.Services)
        {
            Assert.Contains(model!.Resources, r => r.Name == name);
        }
        var health = await _gateway.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        TestContext.Current.SendDiagnosticMessage($"AppHost start to all-healthy: {fixture.StartDuration.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task The_gateway_serves_on_the_vexa_port_8056_in_run_mode()
    {
        var model = (DistributedApplicationModel)fixture.App.Services.GetService(typeof(DistributedApplicationModel))!;
        var gateway = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway");
        var endpoint = gateway.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        Assert.Equal(8056, endpoint.Port);
        Assert.True(endpoint.IsExternal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Requests_are_routed_through_the_gateway_to_every_service()
    {
        var ct = TestContext.Current.CancellationToken;
        var adminKey = await fixture.ParameterAsync("admin-api-key");

        // admin-api: create a user and a token with the admin key.
        using var createUser = new HttpRequestMessage(HttpMethod.Post, "/admin/users")
        {
            Content = JsonContent.Create(new { email = $"e2e-{Guid.NewGuid():N}@example.com", name = "E2E" }),
        };
        createUser.Headers.Add("X-Admin-API-Key", adminKey);
        var user = await _gateway.SendAsync(createUser, ct);
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        var userId = (await user.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();

        using var createToken = new HttpRequestMessage(HttpMethod.Post, $"/admin/users/{userId}/tokens");
        createToken.Headers.Add("X-Admin-API-Key", adminKey);
        var token = await _gateway.SendAsync(createToken, ct);
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        var apiKey = (await token.Content.ReadFromJsonAsync<JsonObject>(ct))!["token"]!.GetValue<string>();
        Assert.Equal(40, apiKey.Length);

        // bot-manager (which asks the Wholesaler emulator) and transcripts, with the user's key.
        var bots = await SendWithKey(HttpMethod.Get, "/bots/status", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, bots.StatusCode);
        Assert.Empty((await bots.Content.ReadFromJsonAsync<JsonObject>(ct))!["running_bots"]!.AsArray());

        var meetings = await SendWithKey(HttpMethod.Get, "/meetings?skip=0&limit=10", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, meetings.StatusCode);
        Assert.Empty((await meetings.Content.ReadFromJsonAsync<JsonObject>(ct))!["meetings"]!.AsArray());

        // admin-api's user route, authenticated by the gateway.
        var webhook = await SendWithKey(HttpMethod.Put, "/user/webhook", apiKey, ct,
            JsonContent.Create(new { webhook_url = "https://hooks.example.com/vexa" }));
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Equal("https://hooks.example.com/vexa",
            (await webhook.Content.ReadFromJsonAsync<JsonObject>(ct))!["data"]!["webhook_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bot_runs_and_its_completion_webhook_reaches_the_owner_signed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await VexaService.IntegrationTests.Infrastructure.WebhookReceiver.StartAsync();
        var apiKey = await NewUserKeyAsync(ct);
        const string secret = "e2e-webhook-secret-0123456789";
        var webhook = await SendWithKey(HttpMethod.Put, "/user/webhook", apiKey, ct,
            JsonContent.Create(new { webhook_url = receiver.Url, webhook_secret = secret }));
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);

        string Letters(int n) => new(Enumerable.Range(0, n).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
        var meetId = $"{Letters(3)}-{Letters(4)}-{Letters(3)}";
        var started = await SendWithKey(HttpMethod.Post, "/bots", apiKey, ct,
            JsonContent.Create(new { platform = "google_meet", native_meeting_id = meetId }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var meetingId = (await started.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithKey(HttpMethod.Delete, $"/bots/google_meet/{meetId}", apiKey, ct)).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (receiver.Requests.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, ct);
        }
        var delivered = Assert.Single(receiver.Requests);
        Assert.Equal(meetingId, JsonNode.Parse(delivered.Body)!["id"]!.GetValue<long>());
        var hmac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret),
            System.Text.Encoding.UTF8.GetBytes(delivered.Body));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(hmac), delivered.Signature);

        // The settings and the delivery log through the gateway (the log is served by transcripts, the settings by
        // admin-api): the delivery is recorded under the id the receiver saw.
        var settings = await (await SendWithKey(HttpMethod.Get, "/user/webhook", apiKey, ct)).Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.Equal(receiver.Url, settings!["webhook_url"]!.GetValue<string>());
        Assert.True(settings["secret_set"]!.GetValue<bool>());
        JsonNode? entry = null;
        while (DateTime.UtcNow < deadline)
        {
            var log = await (await SendWithKey(HttpMethod.Get, "/user/webhook/deliveries", apiKey, ct)).Content.ReadFromJsonAsync<JsonObject>(ct);
            entry = log!["deliveries"]!.AsArray().Single();
            if (entry!["status"]!.GetValue<string>() != "pending")
            {
                break;
            }
            await Task.Delay(250, ct);
        }
        Assert.Equal("delivered", entry!["status"]!.GetValue<string>());
        Assert.Equal(delivered.WebhookId, entry["webhook_id"]!.GetValue<string>());

        var meetings = await SendWithKey(HttpMethod.Get, "/meetings", apiKey, ct);
        var meeting = (await meetings.Content.ReadFromJsonAsync<JsonObject>(ct))!["meetings"]![0]!;
        Assert.Equal("completed", meeting["status"]!.GetValue<string>());

        // The first read of the completed transcript is proxied to transcripts, which leaves it for the gateway; the
        // second is answered by the gateway itself. A client cannot tell them apart.
        var proxied = await SendWithKey(HttpMethod.Get, $"/transcripts/google_meet/{meetId}", apiKey, ct);
        var cached = await SendWithKey(HttpMethod.Get, $"/transcripts/google_meet/{meetId}", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        // Proof that the gateway answered the second read itself: move the meeting off this native id behind the
        // services' back (no invalidation). Transcripts would now answer 404; the gateway's cached copy still answers.
        await using (var db = new Npgsql.NpgsqlConnection(await fixture.App.GetConnectionStringAsync("vexadb", ct)))
        {
            await db.OpenAsync(ct);
            await using var move = new Npgsql.NpgsqlCommand("UPDATE meetings SET native_meeting_id = 'zzz-zzzz-zzz' WHERE id = @id", db);
            move.Parameters.AddWithValue("id", meetingId);
            Assert.Equal(1, await move.ExecuteNonQueryAsync(ct));
        }
        var fromGateway = await SendWithKey(HttpMethod.Get, $"/transcripts/google_meet/{meetId}", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, fromGateway.StatusCode);
        Assert.Equal(await proxied.Content.ReadAsByteArrayAsync(ct), await fromGateway.Content.ReadAsByteArrayAsync(ct));
        var fromTranscripts = await SendWithKey(HttpMethod.Get, "/transcripts/google_meet/zzz-zzzz-zzz", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, fromTranscripts.StatusCode); // the proxied path reads the moved row: it was really moved
        Assert.Equal(await proxied.Content.ReadAsByteArrayAsync(ct), await cached.Content.ReadAsByteArrayAsync(ct));
        string Headers(HttpResponseMessage r) => string.Join(",", r.Headers.Concat(r.Content.Headers)
            .Where(h => h.Key != "Date").OrderBy(h => h.Key).Select(h => $"{h.Key}={string.Join(";", h.Value)}"));
        Assert.Equal(Headers(proxied), Headers(cached));
    }

    [Fact]
    public async Task A_request_without_a_key_gets_vexas_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await _gateway.GetAsync("/bots/status", ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Missing API token (X-API-Key header)",
            (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["detail"]!.GetValue<string>());
    }

    private Task<string> NewUserKeyAsync(CancellationToken ct) => fixture.App.NewUserKeyAsync(_gateway, ct);

    [Fact]
    public async Task A_live_meeting_streams_to_its_owner_over_the_gateways_websocket()
    {
        var ct = TestContext.Current.CancellationToken;
        var apiKey = await NewUserKeyAsync(ct);
        string Letters(int n) => new(Enumerable.Range(0, n).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
        var meetId = $"{Letters(3)}-{Letters(4)}-{Letters(3)}";
        var started = await SendWithKey(HttpMethod.Post, "/bots", apiKey, ct,
            JsonContent.Create(new { platform = "google_meet", native_meeting_id = meetId }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);

        // The gateway relays the Wholesaler's (here the emulator's) /ws: the AppHost gave it the address and the key.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", apiKey);
        var address = new UriBuilder(_gateway.BaseAddress!) { Scheme = "ws", Path = "/ws" }.Uri;
        await socket.ConnectAsync(address, ct);
        var subscribe = $$"""{"action":"subscribe","meetings":[{"platform":"google_meet","native_id":"{{meetId}}"}]}""";
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(subscribe), System.Net.WebSockets.WebSocketMessageType.Text, true, ct);

        var types = new List<string>();
        var buffer = new byte[64 * 1024];
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(TimeSpan.FromSeconds(60));
        while (!types.Contains("transcript.mutable") && !within.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, within.Token);
            Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Text, result.MessageType);
            var frame = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count))!;
            types.Add(frame["type"]!.GetValue<string>());
        }
        Assert.Equal("subscribed", types[0]);
        Assert.Contains("meeting.status", types);
        Assert.Contains("transcript.mutable", types);
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithKey(HttpMethod.Delete, $"/bots/google_meet/{meetId}", apiKey, ct)).StatusCode);
    }

    private Task<HttpResponseMessage> SendWithKey(HttpMethod method, string path, string apiKey, CancellationToken ct,
        HttpContent? content = null) => _gateway.SendWithKeyAsync(method, path, apiKey, ct, content);
}
