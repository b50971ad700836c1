using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Http;
using VexaService.Transcripts;

namespace VexaService.IntegrationTests.Identity;

/// <summary>A request that reaches a service directly, bypassing the gateway, cannot claim to be a user.</summary>
public sealed class GatewayBypassTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IAsyncLifetime
{
    private ServiceFactory<TranscriptsMarker> _transcripts = null!;

    public ValueTask InitializeAsync()
    {
        // On the shared database: its dispatcher would take other suites' deliveries with its own (default) retry delays.
        _transcripts = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?> { ["Webhooks:DispatcherEnabled"] = "false" });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _transcripts.DisposeAsync();

    [Fact]
    public async Task A_valid_api_key_sent_directly_is_not_enough()
    {
        var key = await fixture.NewUserKeyAsync();
        var response = await _transcripts.CreateClient().SendAsync(HttpMethod.Get, "/meetings", key);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Invalid API token", await response.DetailAsync());
    }

    [Theory]
    [InlineData("X-Vexa-Caller", "v1.1.99999999999999.AAAA")]
    [InlineData("X-Vexa-Caller", "1")]
    [InlineData("X-User-Id", "1")]
    public async Task A_made_up_identity_header_is_rejected(string header, string value)
    {
        var response = await _transcripts.CreateClient().SendAsync(HttpMethod.Get, "/meetings",
            headers: new Dictionary<string, string> { [header] = value });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_identity_signed_with_another_key_or_expired_is_rejected()
    {
        var time = TimeProvider.System;
        var foreign = new CallerToken(Options.Create(new IdentityOptions { SigningKey = new string('z', 48) }), time);
        var expired = new CallerToken(Options.Create(new IdentityOptions
        {
            SigningKey = TestEnvironment.SigningKey, Lifetime = TimeSpan.FromSeconds(-1),
        }), time);

        foreach (var token in new[] { foreign.Sign(1), expired.Sign(1) })
        {
            var response = await _transcripts.CreateClient().SendAsync(HttpMethod.Get, "/meetings",
                headers: new Dictionary<string, string> { [CallerToken.HeaderName] = token });
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_identity_signed_by_the_gateway_is_accepted()
    {
        var signer = _transcripts.Services.GetRequiredService<CallerToken>();
        var response = await _transcripts.CreateClient().SendAsync(HttpMethod.Get, "/meetings",
            headers: new Dictionary<string, string> { [CallerToken.HeaderName] = signer.Sign(123456789) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.JsonAsync())["meetings"]!.AsArray());
    }
}
