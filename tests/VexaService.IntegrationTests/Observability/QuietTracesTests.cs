using VexaService.BotManager;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Transcripts;
using VexaService.WholesalerEmulator;

namespace VexaService.IntegrationTests.Observability;

/// <summary>
/// An idle app writes no traces (issue 19): the follower's passes, the webhook dispatcher's polls and the health
/// checks' queries are not traced when they find nothing to do, and a pass that changed something is one trace.
/// Spans are told apart by this test's own database and Wholesaler (the ActivitySources are shared by every service
/// in the test process); in the retailer collection, so that no other follower runs meanwhile.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class QuietTracesTests
{
    [Fact]
    public async Task Idle_passes_and_health_checks_write_no_trace_and_a_pass_that_works_writes_one()
    {
        await using var database = await IsolatedDatabase.CreateAsync();
        var databaseName = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Database!;
        var emulatorPort = Loopback.FreePort();
        await using var emulator = new ServiceFactory<WholesalerEmulatorMarker>(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
        });
        emulator.UseKestrelOn(emulatorPort);
        emulator.StartServer();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = database.ConnectionString,
            ["Wholesaler:BaseAddress"] = $"http://127.0.0.1:{emulatorPort}",
            ["Reconciler:Interval"] = "00:00:00.200",
            ["Reconciler:Grace"] = "00:00:00",
            ["Webhooks:PollInterval"] = "00:00:00.200",
        };
        using var capture = new TelemetryCapture();
        await using var botManager = capture.Attach(new ServiceFactory<BotManagerMarker>(settings));
        await using var transcripts = capture.Attach(new ServiceFactory<TranscriptsMarker>(settings));
        var (bots, meetings) = (botManager.CreateClient(), transcripts.CreateClient());
        bool Ours(string span) => span.Contains(databaseName, StringComparison.Ordinal) || span.Contains($":{emulatorPort}", StringComparison.Ordinal);

        // About 15 follower passes and dispatcher polls, and health checks every 200 ms.
        for (var i = 0; i < 15; i++)
        {
            await bots.GetAsync("/health");
            await meetings.GetAsync("/health");
            await Task.Delay(200);
        }
        Assert.DoesNotContain(capture.Spans, Ours);
        Assert.DoesNotContain(capture.Spans, s => s.Contains("follow the Wholesaler", StringComparison.Ordinal));

        // A live meeting of a Wholesaler we no longer talk to: the next pass fails it, and says so in one trace.
        using (OpenTelemetry.SuppressInstrumentationScope.Begin()) // the test's own writes are not the app's traces
        await using (var db = database.NewDbContext())
        {
            var user = new User { Email = TestEnvironment.UniqueEmail("quiet"), Data = "{}" };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            db.Meetings.Add(new Meeting
            {
                UserId = user.Id, Platform = "google_meet", NativeMeetingId = RetailerFixture.NewMeetId(), Status = MeetingStatus.Active,
                WholesalerMeetingId = 1, WholesalerIssuer = "http://wholesaler.gone.example", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(capture.Spans.Any(s => s.Contains("follow the Wholesaler", StringComparison.Ordinal))));
        await Task.Delay(1_000); // more passes, with nothing left to do
        // Each provider in the process exports every span once: count the follower's traces by their distinct text.
        var pass = Assert.Single(capture.Spans.Where(s => s.Contains("follow the Wholesaler", StringComparison.Ordinal)).Distinct());
        Assert.StartsWith("root ", pass);
        Assert.Contains("vexa.reconcile.failed=1", pass);
        // Its queries and calls are not traces of their own (the completion webhook it queued is delivered in one).
        Assert.DoesNotContain(capture.Spans, s => s.StartsWith("root ", StringComparison.Ordinal) && Ours(s));
    }

    [Fact]
    public async Task The_emulator_records_a_request_only_as_part_of_its_callers_trace()
    {
        using var capture = new TelemetryCapture();
        await using var emulator = capture.Attach(new ServiceFactory<WholesalerEmulatorMarker>(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
        }));
        var client = emulator.CreateClient();
        var (untraced, traced) = ($"/untraced-{Guid.NewGuid():N}", $"/traced-{Guid.NewGuid():N}");

        // As the follower's polls arrive: no trace context.
        await client.GetAsync(untraced, TestContext.Current.CancellationToken);
        // As a call made while serving a user's request arrives: with its caller's trace.
        using var request = new HttpRequestMessage(HttpMethod.Get, traced);
        request.Headers.Add("traceparent", $"00-{System.Diagnostics.ActivityTraceId.CreateRandom()}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01");
        await client.SendAsync(request, TestContext.Current.CancellationToken);

        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(capture.Spans.Any(s => s.Contains(traced, StringComparison.Ordinal))));
        Assert.DoesNotContain(capture.Spans, s => s.Contains(untraced, StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Spans, s => s.Contains(traced, StringComparison.Ordinal) && s.StartsWith("root ", StringComparison.Ordinal));
    }
}
