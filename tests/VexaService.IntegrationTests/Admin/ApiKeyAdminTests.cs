using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Admin;

/// <summary>Creating keys with a name, an expiry and scopes, and listing them without their secrets.</summary>
public sealed class ApiKeyAdminTests : IAsyncLifetime
{
    private ServiceFactory<AdminApiMarker> _factory = null!;
    private AdminClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _factory = new ServiceFactory<AdminApiMarker>();
        _admin = new AdminClient(_factory.CreateClient());
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private Task<HttpResponseMessage> CreateAsync(long userId, string body) =>
        _admin.SendAsync(HttpMethod.Post, $"/admin/users/{userId}/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    [Theory]
    [InlineData("""{"name": "%LONG%"}""", "name", "ensure this value has at most 100 characters")]
    [InlineData("""{"expires_in": 59}""", "expires_in", "ensure this value is between 60 and 316224000")]
    [InlineData("""{"expires_in": "soon"}""", "expires_in", "value is not a valid integer")]
    [InlineData("""{"expires_at": "tomorrow"}""", "expires_at", "invalid datetime format (ISO 8601, UTC unless an offset is given)")]
    [InlineData("""{"expires_at": "2020-01-01T00:00:00"}""", "expires_at", "expires_at must be in the future")]
    [InlineData("""{"expires_in": 3600, "expires_at": "2099-01-01T00:00:00"}""", "expires_at", "give expires_in or expires_at, not both")]
    [InlineData("""{"scopes": []}""", "scopes", "ensure this value has at least 1 items")]
    [InlineData("""{"scopes": ["bots", "browser"]}""", "scopes", "unknown scope 'browser': permitted: bots, transcripts")]
    [InlineData("""{"scopes": "bots"}""", "scopes", "value is not a valid list of strings")]
    [InlineData("""{"role": "admin"}""", "role", "extra fields not permitted")]
    public async Task A_bad_key_request_is_refused_with_422_naming_the_field(string body, string field, string message)
    {
        var userId = await _admin.CreateUserAsync();
        var response = await CreateAsync(userId, body.Replace("%LONG%", new string('n', 101)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal(["body", field], issue["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(message, issue["msg"]!.GetValue<string>());
        var listed = await _admin.SendAsync(HttpMethod.Get, $"/admin/users/{userId}/tokens");
        Assert.Empty((await listed.Content.ReadFromJsonAsync<JsonArray>())!); // nothing created
    }

    [Fact]
    public async Task Keys_are_created_as_asked_and_listed_without_their_secrets()
    {
        var userId = await _admin.CreateUserAsync();
        var plain = await _admin.SendAsync(HttpMethod.Post, $"/admin/users/{userId}/tokens"); // Vexa's call: no body
        var named = await CreateAsync(userId, """{"name": "billing export", "expires_at": "2099-06-30T12:00:00+02:00", "scopes": ["transcripts"]}""");
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        var (first, second) = ((await plain.JsonAsync()).AsObject(), (await named.JsonAsync()).AsObject());
        Assert.Null(first["name"]);
        Assert.Null(first["expires_at"]);
        Assert.Equal(["bots", "transcripts"], first["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("billing export", second["name"]!.GetValue<string>());
        Assert.Equal("2099-06-30T10:00:00", second["expires_at"]!.GetValue<string>()); // UTC, as Vexa writes times
        Assert.Equal(["transcripts"], second["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));

        var listed = await _admin.SendAsync(HttpMethod.Get, $"/admin/users/{userId}/tokens");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var text = await listed.Content.ReadAsStringAsync();
        foreach (var created in new[] { first, second })
        {
            Assert.DoesNotContain(created["token"]!.GetValue<string>(), text, StringComparison.Ordinal);
        }
        var tokens = JsonNode.Parse(text)!.AsArray();
        Assert.Equal([first["id"]!.GetValue<long>(), second["id"]!.GetValue<long>()], tokens.Select(t => t!["id"]!.GetValue<long>()));
        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9]{8}…$", t!["token"]!.GetValue<string>()));
        Assert.Equal("billing export", tokens[1]!["name"]!.GetValue<string>());
        Assert.Null(tokens[1]!["last_used_at"]);

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.SendAsync(HttpMethod.Get, "/admin/users/999999999/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _admin.SendAsync(HttpMethod.Get, "/admin/users/abc/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _admin.SendAsync(HttpMethod.Get, $"/admin/users/{userId}/tokens", adminKey: "wrong")).StatusCode);
    }
}
