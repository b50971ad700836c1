using System.Net;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using VexaService.BotManager;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// <c>/mcp</c> at the gateway (issue 33) with the official C# MCP client over streamable HTTP: the tools Vexa's MCP
/// server has, each our API as the calling key's user, in front of the real BotManager and Transcripts.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class McpTests(RetailerFixture fixture) : IAsyncLifetime
{
    private ServiceFactory<BotManagerMarker> _bots = null!;
    private ServiceFactory<GatewayMarker> _gateway = null!;
    private string _url = "";

    public ValueTask InitializeAsync()
    {
        var botsPort = Loopback.FreePort();
        _bots = fixture.NewBotManager();
        _bots.UseKestrelOn(botsPort);
        _bots.StartServer();
        var port = Loopback.FreePort();
        _gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = fixture.Database,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["services:bot-manager:http:0"] = $"http://127.0.0.1:{botsPort}",
            ["services:transcripts:http:0"] = fixture.TranscriptsUrl,
            ["services:admin-api:http:0"] = "http://127.0.0.1:9",
        });
        _gateway.UseKestrelOn(port);
        _gateway.StartServer();
        _url = $"http://127.0.0.1:{port}/mcp";
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _bots.DisposeAsync();
    }

    private Task<McpClient> ConnectAsync(string header, string value) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_url), TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { [header] = value },
        }), cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<(bool IsError, JsonNode? Answer, string Text)> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        JsonNode? answer = null;
        try
        {
            answer = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            // an error's text
        }
        return (result.IsError == true, answer, text);
    }

    [Fact]
    public async Task An_agent_starts_reads_and_stops_its_users_bot_and_another_user_can_touch_none_of_it()
    {
        var (a, b) = (await fixture.NewUserAsync(), await fixture.NewUserAsync());
        await using var agentA = await ConnectAsync("Authorization", "Bearer " + await fixture.NewKeyAsync(a));
        await using var agentB = await ConnectAsync("X-API-Key", await fixture.NewKeyAsync(b));

        var tools = (await agentA.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).Order().ToList();
        Assert.Equal(["delete_meeting", "get_bot_status", "get_meeting_transcript", "list_meetings", "parse_meeting_link",
            "request_meeting_bot", "stop_bot", "update_bot_config", "update_meeting_data"], tools);

        var meetId = RetailerFixture.NewMeetId();
        var started = await CallAsync(agentA, "request_meeting_bot", new() { ["meeting_url"] = $"https://meet.google.com/{meetId}" });
        Assert.False(started.IsError, started.Text);
        var meetingId = started.Answer!["id"]!.GetValue<long>();
        var again = await CallAsync(agentA, "request_meeting_bot", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId });
        Assert.Equal("already_exists", again.Answer?["status"]?.GetValue<string>());
        Assert.Equal(meetingId, again.Answer!["meeting"]!["id"]!.GetValue<long>());

        var transcript = await CallAsync(agentA, "get_meeting_transcript", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId });
        Assert.False(transcript.IsError, transcript.Text);
        Assert.Equal(meetingId, transcript.Answer!["id"]!.GetValue<long>());

        // B sees nothing of A's meeting through any tool, and is told so as the API tells it.
        var listed = await CallAsync(agentB, "list_meetings", new());
        Assert.DoesNotContain(listed.Answer!["meetings"]!.AsArray(), m => m!["id"]!.GetValue<long>() == meetingId);
        foreach (var (tool, arguments) in new (string, Dictionary<string, object?>)[]
        {
            ("get_meeting_transcript", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId }),
            ("get_meeting_transcript", new() { ["meeting_db_id"] = meetingId }),
            ("stop_bot", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId }),
            ("update_meeting_data", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["name"] = "mine now" }),
            ("delete_meeting", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId }),
        })
        {
            var refused = await CallAsync(agentB, tool, arguments);
            Assert.True(refused.IsError, $"{tool} as B: {refused.Text}");
            Assert.Contains("404", refused.Text);
        }
        Assert.Empty((await CallAsync(agentB, "get_bot_status", new())).Answer!["running_bots"]!.AsArray());

        var stopped = await CallAsync(agentA, "stop_bot", new() { ["platform"] = "google_meet", ["native_meeting_id"] = meetId });
        Assert.False(stopped.IsError, stopped.Text);
        Assert.Contains(await fixture.MeetingStatusAsync(meetingId), new[] { "stopping", "completed" });
    }

    [Fact]
    public async Task Parse_meeting_link_reads_vexas_examples_and_a_bad_link_is_a_tool_error()
    {
        await using var agent = await ConnectAsync("Authorization", await fixture.NewKeyAsync(await fixture.NewUserAsync()));
        var meet = await CallAsync(agent, "parse_meeting_link", new() { ["meeting_url"] = "https://meet.google.com/abc-defg-hij" });
        Assert.Equal("""{"platform":"google_meet","native_meeting_id":"abc-defg-hij","passcode":null}""", meet.Answer!.ToJsonString());
        var zoom = await CallAsync(agent, "parse_meeting_link", new() { ["meeting_url"] = "https://us05web.zoom.us/j/84335626851?pwd=abc123" });
        Assert.Equal("zoom", zoom.Answer!["platform"]!.GetValue<string>());
        var teams = await CallAsync(agent, "parse_meeting_link", new() { ["meeting_url"] = "https://teams.live.com/meet/9366473044740?p=waw4q9dPAvdIG3aknh" });
        Assert.Equal(("teams", "9366473044740", "waw4q9dPAvdIG3aknh"), (teams.Answer!["platform"]!.GetValue<string>(),
            teams.Answer["native_meeting_id"]!.GetValue<string>(), teams.Answer["passcode"]!.GetValue<string>()));
        var bad = await CallAsync(agent, "parse_meeting_link", new() { ["meeting_url"] = "https://example.com/x" });
        Assert.True(bad.IsError);
        Assert.Contains("example.com", bad.Text);
    }

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_one_the_client_is_told_at_once()
    {
        using var http = new HttpClient();
        var none = await http.PostAsync(_url, new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""",
            System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Missing API key", await none.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var wrong = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("X-API-Key", "not-a-key-of-ours"));
        Assert.Contains("403", wrong.ToString());
    }
}
