using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Observability;

namespace VexaService.IntegrationTests.Observability;

/// <summary>The domain figures of the <c>VexaService</c> meter (issue 19), read as an exporter would read them.</summary>
[Collection(RetailerCollection.Name)]
public sealed class DomainMetricsTests(RetailerFixture fixture)
{
    private static MetricCollector<long> Collect(IServiceProvider services, string instrument) =>
        new(services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName, instrument);

    private static long Sum(MetricCollector<long> collector, string? tag = null, string? value = null) =>
        collector.GetMeasurementSnapshot()
            .Where(m => tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))
            .Sum(m => m.Value);

    [Fact]
    public async Task Bot_starts_refusals_by_reason_and_wholesaler_calls_by_route_are_counted()
    {
        using var started = Collect(fixture.BotManager.Services, "vexa.bots.started");
        using var refused = Collect(fixture.BotManager.Services, "vexa.bots.refused");
        using var calls = Collect(fixture.BotManager.Services, "vexa.wholesaler.calls");
        var bots = fixture.BotManager.CreateClient();
        var user = await fixture.NewUserAsync(maxBots: 1);
        var meetId = RetailerFixture.NewMeetId();
        var meetingId = await fixture.StartBotAsync(user, meetId);

        Assert.Equal(HttpStatusCode.Conflict, (await fixture.AsUserAsync(bots, user, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.AsUserAsync(bots, user, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await fixture.AsUserAsync(bots, user, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = "not a meet id", language = "xx" })).StatusCode);

        Assert.Equal(1, Sum(started));
        Assert.Equal((1, 1, 1), (Sum(refused, "reason", "duplicate"), Sum(refused, "reason", "quota"), Sum(refused, "reason", "invalid")));
        Assert.Equal(1, calls.GetMeasurementSnapshot().Count(m =>
            Equals(m.Tags["route"], "POST /bots") && Equals(m.Tags["status"], "201")));
        await fixture.StopAndWaitCompletedAsync(user, meetId, meetingId);
    }

    [Fact]
    public async Task Webhook_attempts_are_counted_by_outcome_and_the_outbox_depth_is_observed()
    {
        using var attempts = Collect(fixture.Transcripts.Services, "vexa.webhooks.attempts");
        using var depth = Collect(fixture.Transcripts.Services, "vexa.webhooks.outbox_depth");
        await using var hook = await WebhookReceiver.StartAsync(failFirst: 1);
        var user = await fixture.NewUserAsync(webhookUrl: hook.Url);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StopAndWaitCompletedAsync(user, meetId, await fixture.StartBotAsync(user, meetId));
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(Sum(attempts, "outcome", "delivered") >= 1), timeoutMs: 15_000);

        Assert.True(Sum(attempts, "outcome", "retry") >= 1); // the receiver's first answer was a 500
        depth.RecordObservableInstruments();
        Assert.True(depth.LastMeasurement?.Value >= 0, "the outbox depth is not observed");
    }
}

/// <summary>The gateway's figures: key lookups from the cache or not, and its 429s by limit.</summary>
public sealed class GatewayMetricsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Key_lookups_are_counted_as_cache_misses_then_hits_and_429s_by_limit()
    {
        await using var gateway = fixture.NewGateway(new() { ["RateLimit:PermitLimit"] = "3" });
        using var lookups = new MetricCollector<long>(gateway.Services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName, "vexa.gateway.key_lookups");
        using var limited = new MetricCollector<long>(gateway.Services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName, "vexa.gateway.rate_limited");
        var http = gateway.CreateClient();
        var key = await fixture.NewUserKeyAsync();

        var answers = new List<HttpStatusCode>();
        await RateLimitWindow.WaitForRoomAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)); // the default window
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await http.SendAsync(HttpMethod.Get, "/meetings", key)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        var results = lookups.GetMeasurementSnapshot().Select(m => (string)m.Tags["result"]!).ToList();
        Assert.Equal(["cache_miss", "cache_hit", "cache_hit", "cache_hit", "cache_hit"], results);
        Assert.Equal(2, limited.GetMeasurementSnapshot().Count(m => Equals(m.Tags["limit"], "key")));
    }
}
