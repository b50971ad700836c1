using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Http;

namespace VexaService.IntegrationTests.Admin;

/// <summary>
/// A user's webhook settings: the events they choose, read back without the secret, and the same rules for the URL
/// and the events whether the user sets them or an admin writes them into <c>data</c>.
/// </summary>
public sealed class UserWebhookSettingsTests : IAsyncLifetime
{
    private ServiceFactory<AdminApiMarker> _factory = null!;
    private AdminClient _admin = null!;
    private readonly CallerToken _signer = new(Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), TimeProvider.System);

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _factory = new ServiceFactory<AdminApiMarker>();
        _admin = new AdminClient(_factory.CreateClient());
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private async Task<HttpResponseMessage> AsUserAsync(long userId, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(CallerToken.HeaderName, _signer.Sign(userId));
        return await _factory.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Events_are_chosen_kept_and_read_back_with_the_url_but_never_the_secret()
    {
        var user = await _admin.CreateUserAsync();
        var before = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).JsonAsync();
        Assert.Null(before["webhook_url"]);
        Assert.Equal(["meeting.completed"], before["events"]!.AsArray().Select(e => e!.GetValue<string>())); // Vexa's default
        Assert.False(before["secret_set"]!.GetValue<bool>());

        var set = await AsUserAsync(user, HttpMethod.Put, "/user/webhook", new
        {
            webhook_url = "https://hooks.example.com/x", webhook_secret = "a-secret-of-some-length",
            events = new[] { "meeting.status_change", "meeting.completed", "meeting.status_change" },
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        // Changing the URL alone keeps the events and the secret.
        Assert.Equal(HttpStatusCode.OK, (await AsUserAsync(user, HttpMethod.Put, "/user/webhook", new { webhook_url = "https://hooks.example.com/y" })).StatusCode);

        var raw = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).Content.ReadAsStringAsync();
        var after = JsonNode.Parse(raw)!;
        Assert.Equal("https://hooks.example.com/y", after["webhook_url"]!.GetValue<string>());
        Assert.Equal(["meeting.status_change", "meeting.completed"], after["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(after["secret_set"]!.GetValue<bool>());
        Assert.DoesNotContain("a-secret-of-some-length", raw);
    }

    [Theory]
    [InlineData("""["meeting.started"]""", "unknown event 'meeting.started'")]
    [InlineData("""[]""", "choose at least one event")]
    [InlineData("""["meeting.completed", 3]""", "not a valid list of strings")]
    [InlineData("\"meeting.completed\"", "not a valid list of strings")]
    public async Task Unknown_or_malformed_events_are_refused_with_422(string events, string problem)
    {
        var user = await _admin.CreateUserAsync();
        var body = JsonNode.Parse($$"""{"webhook_url": "https://hooks.example.com/x", "events": {{events}}}""");
        var answer = await AsUserAsync(user, HttpMethod.Put, "/user/webhook", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var issue = (await answer.JsonAsync())["detail"]!.AsArray().Single()!;
        Assert.Equal(["body", "events"], issue["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains(problem, issue["msg"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"webhook_url": "http://localhost:8000/x"}""", "top level domain")]
    [InlineData("""{"webhook_url": "ftp://files.example.com/x"}""", "scheme")]
    [InlineData("""{"webhook_url": 42}""", "str type expected")]
    [InlineData("""{"webhook_events": ["nope"]}""", "unknown event 'nope'")]
    public async Task An_admin_writing_webhook_settings_into_data_meets_the_same_rules(string data, string problem)
    {
        var user = await _admin.CreateUserAsync();
        var patched = await _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{user}", JsonContent.Create(JsonNode.Parse($$"""{"data": {{data}}}""")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, patched.StatusCode);
        Assert.Contains(problem, (await patched.JsonAsync())["detail"]!.AsArray().Single()!["msg"]!.GetValue<string>());

        var created = await _admin.SendAsync(HttpMethod.Post, "/admin/users",
            JsonContent.Create(JsonNode.Parse($$"""{"email": "{{TestEnvironment.UniqueEmail("hookrules")}}", "data": {{data}}}""")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, created.StatusCode);

        var fine = await _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{user}", JsonContent.Create(JsonNode.Parse(
            """{"data": {"webhook_url": "https://hooks.example.com/z", "webhook_events": ["meeting.status_change"], "plan": "pro"}}""")));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        var settings = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).JsonAsync();
        Assert.Equal("https://hooks.example.com/z", settings["webhook_url"]!.GetValue<string>());
        Assert.Equal(["meeting.status_change"], settings["events"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task Current_Vexas_webhook_events_map_chooses_the_same_events_and_reads_back_in_both_spellings()
    {
        var user = await _admin.CreateUserAsync();
        // What a 0.12 client sends (vexa-0.12.md §4): all four of Vexa's events on.
        var set = await AsUserAsync(user, HttpMethod.Put, "/user/webhook", new JsonObject
        {
            ["webhook_url"] = "https://hooks.example.com/v012",
            ["webhook_events"] = new JsonObject
            {
                ["meeting.started"] = true, ["meeting.status_change"] = true, ["meeting.completed"] = true, ["bot.failed"] = true,
            },
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var view = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).JsonAsync();
        Assert.Equal(["meeting.completed", "meeting.status_change"], view["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("""{"meeting.completed":true,"meeting.status_change":true}""", view["webhook_events"]!.ToJsonString());

        // Vexa's defaults for what the map leaves out: meeting.completed on unless set false.
        await AsUserAsync(user, HttpMethod.Put, "/user/webhook", new JsonObject
        {
            ["webhook_url"] = "https://hooks.example.com/v012", ["webhook_events"] = new JsonObject { ["meeting.status_change"] = false },
        });
        view = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).JsonAsync();
        Assert.Equal("""{"meeting.completed":true,"meeting.status_change":false}""", view["webhook_events"]!.ToJsonString());
        await AsUserAsync(user, HttpMethod.Put, "/user/webhook", new JsonObject
        {
            ["webhook_url"] = "https://hooks.example.com/v012",
            ["webhook_events"] = new JsonObject { ["meeting.completed"] = false, ["meeting.status_change"] = true },
        });
        view = await (await AsUserAsync(user, HttpMethod.Get, "/user/webhook")).JsonAsync();
        Assert.Equal(["meeting.status_change"], view["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(view["secret_set"]!.GetValue<bool>(), view["webhook_secret_set"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"webhook_url":"https://hooks.example.com/x","webhook_events":{"meeting.ended":true}}""", "unknown event 'meeting.ended'")]
    [InlineData("""{"webhook_url":"https://hooks.example.com/x","webhook_events":{"meeting.completed":"yes"}}""", "could not be parsed to a boolean")]
    [InlineData("""{"webhook_url":"https://hooks.example.com/x","webhook_events":{"meeting.completed":false}}""", "choose at least one event")]
    [InlineData("""{"webhook_url":"https://hooks.example.com/x","webhook_events":["meeting.completed"]}""", "")]
    [InlineData("""{"webhook_url":"https://hooks.example.com/x","events":["meeting.completed"],"webhook_events":{"meeting.completed":true}}""", "not both")]
    public async Task A_webhook_events_map_that_cannot_be_read_is_a_422_saying_why(string body, string says)
    {
        var user = await _admin.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/user/webhook")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(CallerToken.HeaderName, _signer.Sign(user));
        var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Auth_me_tells_the_calling_keys_user_scopes_and_bot_limit()
    {
        var user = await _admin.CreateUserAsync();
        using var scoped = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        scoped.Headers.Add(CallerToken.HeaderName, _signer.Sign(user, ["transcripts"]));
        var me = await (await _factory.CreateClient().SendAsync(scoped)).JsonAsync();

        Assert.Equal(user, me["user_id"]!.GetValue<long>());
        Assert.Contains("@", me["email"]!.GetValue<string>());
        Assert.Equal(["transcripts"], me["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(1, me["max_concurrent"]!.GetValue<int>());
        // A caller vouched for without scopes holds a key of every scope.
        var all = await (await AsUserAsync(user, HttpMethod.Get, "/auth/me")).JsonAsync();
        Assert.Equal(["bots", "transcripts"], all["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        // Without the gateway's word, nobody.
        Assert.Equal(HttpStatusCode.Forbidden, (await _factory.CreateClient().GetAsync("/auth/me")).StatusCode);
    }
}
