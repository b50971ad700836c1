using System.Net;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>Pages of any origin may call the API with a key header; none may make a browser send credentials.</summary>
public sealed class CorsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Any_origin_may_call_with_a_key_header_but_never_with_credentials()
    {
        var http = fixture.Gateway.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/meetings");
        preflight.Headers.Add("Origin", "https://app.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answer = await http.SendAsync(preflight, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-api-key", answer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Credentials"));

        var key = await fixture.NewUserKeyAsync();
        using var call = new HttpRequestMessage(HttpMethod.Get, "/meetings");
        call.Headers.Add("Origin", "https://app.example.org");
        call.Headers.Add("X-API-Key", key);
        var read = await http.SendAsync(call, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("*", read.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(read.Headers.Contains("Access-Control-Allow-Credentials"));
    }
}
