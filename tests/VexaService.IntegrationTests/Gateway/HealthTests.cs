using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>The gateway's <c>/health</c> is public: it must mean what it says, say nothing more, and cost little.</summary>
public sealed class HealthTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Redis_down_is_degraded_not_unhealthy_since_every_caller_fails_open()
    {
        await using var gateway = fixture.NewGateway(new() { ["ConnectionStrings:cache"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200" });

        var health = await gateway.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync()); // no check names, no errors
    }

    [Fact]
    public async Task A_flood_of_health_requests_runs_the_checks_about_once_a_second()
    {
        var runs = 0;
        await using var gateway = fixture.NewGateway().WithWebHostBuilder(web => web.ConfigureServices(services =>
            services.AddHealthChecks().AddCheck("counted", () =>
            {
                Interlocked.Increment(ref runs);
                return HealthCheckResult.Healthy();
            })));
        var client = gateway.CreateClient();

        var started = DateTime.UtcNow;
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync("/health")));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal("Healthy", await answers[0].Content.ReadAsStringAsync());
        Assert.InRange(runs, 1, (int)Math.Ceiling(seconds) + 1);
    }
}
