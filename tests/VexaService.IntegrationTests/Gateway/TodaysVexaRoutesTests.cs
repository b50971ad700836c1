using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.Http;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// The routes current Vexa's clients call (issue 33) at the gateway, in front of an echo backend: <c>GET /auth/me</c>
/// with the key's scopes signed into the caller's identity, <c>GET /bots</c> (the paged list, served by Transcripts),
/// and <c>/transcripts/by-id/{id}</c>, whose <c>by-id</c> is not a platform.
/// </summary>
public sealed class TodaysVexaRoutesTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _gateway = fixture.Gateway.CreateClient();
    private readonly CallerToken _tokens = new(Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), TimeProvider.System);

    private async Task<string> KeyAsync(params string[] scopes)
    {
        var userId = await fixture.Admin.CreateUserAsync();
        var response = await fixture.Admin.SendAsync(HttpMethod.Post, $"/admin/users/{userId}/tokens", JsonContent.Create(new { scopes }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }

    private async Task<JsonObject> EchoAsync(string path, string key)
    {
        var response = await _gateway.SendAsync(HttpMethod.Get, path, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonObject)await response.JsonAsync();
    }

    [Fact]
    public async Task The_services_are_told_the_scopes_of_the_key_signed_with_the_caller()
    {
        var echoed = await EchoAsync("/auth/me", await KeyAsync("transcripts"));

        Assert.Equal("/auth/me", echoed["path"]!.GetValue<string>());
        Assert.True(_tokens.TryVerify(echoed["caller"]!.GetValue<string>(), out _, out var scopes));
        Assert.Equal(["transcripts"], scopes);
        // A changed scope breaks the signature.
        var forged = echoed["caller"]!.GetValue<string>().Replace(".transcripts.", ".bots+transcripts.");
        Assert.False(_tokens.TryVerify(forged, out _, out _));
    }

    [Fact]
    public async Task Auth_me_takes_any_key_and_none_is_a_401()
    {
        Assert.Equal("/auth/me", (await EchoAsync("/auth/me", await KeyAsync("bots")))["path"]!.GetValue<string>());
        var none = await _gateway.GetAsync("/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task Get_bots_is_the_paged_list_and_needs_the_bots_scope()
    {
        Assert.Equal("?limit=5&offset=10", (await EchoAsync("/bots?limit=5&offset=10", await KeyAsync("bots")))["query"]!.GetValue<string>());
        var refused = await _gateway.SendAsync(HttpMethod.Get, "/bots", await KeyAsync("transcripts"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task By_id_is_not_read_as_a_platform_but_another_word_still_is()
    {
        var key = await KeyAsync("transcripts");
        Assert.Equal("/transcripts/by-id/42", (await EchoAsync("/transcripts/by-id/42", key))["path"]!.GetValue<string>());
        var unknown = await _gateway.SendAsync(HttpMethod.Get, "/transcripts/by_id/42", key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }
}
