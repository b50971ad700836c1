using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>The emulator's own <c>/_emulator</c> endpoints: faults, stats, bot exit, reset; and its start-up validation.</summary>
public sealed class EmulatorControlTests : WholesalerTestBase
{
    public EmulatorControlTests(WholesalerTarget target) : base(target) =>
        Assert.SkipUnless(target.IsEmulator, "Emulator-only: a real Vexa has no /_emulator endpoints.");

    private Task<ApiResponse> SetFaultsAsync(string body) => SendAsync(HttpMethod.Put, "/_emulator/faults", body);

    private Task<ApiResponse> ClearFaultsAsync() => SendAsync(HttpMethod.Delete, "/_emulator/faults");

    [Fact]
    public async Task Control_endpoints_require_the_system_key()
    {
        Contract.IsError(await SendAsync(HttpMethod.Get, "/_emulator/stats", noKey: true), HttpStatusCode.Forbidden,
            "Missing API token (X-API-Key header)");
        Contract.IsError(await SendAsync(HttpMethod.Post, "/_emulator/reset", apiKey: "wrong"), HttpStatusCode.Forbidden,
            "Invalid API token");
    }

    [Fact]
    public async Task Error_rate_fault_answers_vexa_paths_with_the_error_status_but_not_health_or_control()
    {
        try
        {
            var set = await SetFaultsAsync("""{"error_rate":1.0,"error_status":502}""");
            Assert.Equal(HttpStatusCode.OK, set.Status);
            var current = (await SendAsync(HttpMethod.Get, "/_emulator/faults")).Object;
            Contract.HasExactKeys(current, "latency_ms", "error_rate", "error_status", "mode", "answer_delay_ms", "ignore_meeting_id");
            Assert.Equal(502, current["error_status"]!.GetValue<int>());
            Assert.Equal("normal", current["mode"]!.GetValue<string>());

            Assert.Equal(HttpStatusCode.BadGateway, (await GetAsync("/")).Status);
            Assert.Equal(HttpStatusCode.BadGateway, (await GetAsync("/meetings")).Status);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/health", noKey: true)).Status);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await ClearFaultsAsync()).Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/")).Status);
    }

    [Fact]
    public async Task Latency_fault_delays_answers()
    {
        try
        {
            await SetFaultsAsync("""{"latency_ms":400}""");
            var clock = Stopwatch.StartNew();
            var response = await GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.True(clock.ElapsedMilliseconds >= 380, $"answered after {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            await ClearFaultsAsync();
        }
    }

    [Fact]
    public async Task Refuse_fault_aborts_the_connection()
    {
        try
        {
            await SetFaultsAsync("""{"mode":"refuse"}""");
            var error = await Record.ExceptionAsync(() => GetAsync("/meetings"));
            // Kestrel clients see a reset connection; the in-memory test server reports the abort as a cancellation.
            Assert.True(error is HttpRequestException or IOException or OperationCanceledException && !Cancellation.IsCancellationRequested,
                $"expected a transport error, got {error?.GetType().Name ?? "an answer"}");
        }
        finally
        {
            await ClearFaultsAsync();
        }
    }

    [Fact]
    public async Task Hang_fault_never_answers_until_the_client_gives_up()
    {
        try
        {
            await SetFaultsAsync("""{"mode":"hang"}""");
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
            giveUp.CancelAfter(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                SendCancellableAsync(HttpMethod.Get, "/", null, null, false, null, giveUp.Token));
        }
        finally
        {
            await ClearFaultsAsync();
        }
    }

    [Fact]
    public async Task Invalid_fault_settings_are_422()
    {
        var response = await SetFaultsAsync("""{"error_rate":1.5,"mode":"explode"}""");

        Contract.IsValidationError(response, ["body", "error_rate"], "ensure this value is less than or equal to 1", "value_error.number.not_le");
        Assert.Equal(2, response.Json["detail"]!.AsArray().Count);
    }

    [Fact]
    public async Task Stats_count_requests_keys_transcript_calls_bot_starts_and_meeting_listings()
    {
        var before = (await SendAsync(HttpMethod.Get, "/_emulator/stats")).Object;
        const string otherKey = "some-other-key";

        await GetAsync("/meetings");
        await SendAsync(HttpMethod.Get, "/meetings", apiKey: otherKey);
        await SendAsync(HttpMethod.Get, "/meetings", noKey: true);
        var nativeId = Contract.GoogleMeetId();
        var meetingId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();
        for (var i = 0; i < 3; i++)
        {
            await GetAsync($"/transcripts/google_meet/{nativeId}");
        }

        var after = (await SendAsync(HttpMethod.Get, "/_emulator/stats")).Object;
        Contract.HasExactKeys(after, "requests_total", "api_keys_seen", "transcript_requests", "bot_starts", "meeting_listings",
            "running_bots_listings", "rate_limited", "live_subscription_changes");
        Assert.Equal(7, Count(after, "requests_total") - Count(before, "requests_total"));
        Assert.Equal(5, Seen(after, Fingerprint(Target.ApiKey)) - Seen(before, Fingerprint(Target.ApiKey)));
        Assert.Equal(1, Seen(after, Fingerprint(otherKey)) - Seen(before, Fingerprint(otherKey)));
        Assert.Equal(1, Seen(after, "none") - Seen(before, "none"));
        Assert.Equal(3, after["transcript_requests"]![meetingId.ToString(System.Globalization.CultureInfo.InvariantCulture)]!.GetValue<long>());
        Assert.Equal(1, Count(after, "bot_starts") - Count(before, "bot_starts"));
        Assert.Equal(1, Count(after, "meeting_listings") - Count(before, "meeting_listings")); // only the authenticated one
        Assert.Equal(0, Count(after, "running_bots_listings") - Count(before, "running_bots_listings"));
        await GetAsync("/bots/status");
        var listed = (await SendAsync(HttpMethod.Get, "/_emulator/stats")).Object;
        Assert.Equal(1, Count(listed, "running_bots_listings") - Count(after, "running_bots_listings"));
    }

    [Fact]
    public async Task Exit_makes_the_bot_leave_by_itself_with_its_exit_code_and_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SendAsync(HttpMethod.Put, "/user/webhook", new JsonObject { ["webhook_url"] = $"{receiver.Address}/exit" }.ToJsonString());
        var meetingId = (await StartBotAsync("google_meet", Contract.GoogleMeetId()))["id"]!.GetValue<long>();

        var exited = await SendAsync(HttpMethod.Post, $"/_emulator/meetings/{meetingId}/exit", """{"exit_code":1}""");

        Assert.Equal(HttpStatusCode.OK, exited.Status);
        Assert.Equal("failed", exited.Json["final_status"]!.GetValue<string>());
        Assert.Equal(meetingId, exited.Json["meeting_id"]!.GetValue<long>());
        var meeting = await FindMeetingAsync(meetingId);
        Assert.Equal("failed", meeting!["status"]!.GetValue<string>());
        Assert.NotNull(meeting["end_time"]);
        var (_, payload) = await receiver.WaitForMeetingAsync(meetingId, Target.PatienceFor);
        Assert.Equal("failed", payload["status"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, $"/_emulator/meetings/{meetingId}/exit", "{}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/_emulator/meetings/999999999/exit", "{}")).Status);
    }

    [Fact]
    public async Task Stage_sets_what_the_wholesaler_holds_for_a_meeting_and_its_transcript_shows_it()
    {
        var (id, nativeId) = (1_500_000_000L + Random.Shared.Next(1_000_000), Contract.GoogleMeetId());
        var staged = await SendAsync(HttpMethod.Put, $"/_emulator/meetings/{id}", new JsonObject
        {
            ["platform"] = "google_meet", ["native_meeting_id"] = nativeId, ["status"] = "completed",
            ["start_time"] = "2026-12-01T10:00:00", ["end_time"] = "2026-12-01T10:30:00", ["segments"] = 4,
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, staged.Status);
        Assert.Equal(id, staged.Json["id"]!.GetValue<long>());

        var transcript = (await GetAsync($"/transcripts/google_meet/{nativeId}?meeting_id={id}")).Json;
        Assert.Equal("completed", transcript["status"]!.GetValue<string>());
        Assert.Equal("2026-12-01T10:00:00", transcript["start_time"]!.GetValue<string>());
        Assert.Equal(4, transcript["segments"]!.AsArray().Count);
        Assert.NotNull(await FindMeetingAsync(id));

        // Changed again (an unknown status is fine: a newer Vexa); the segments stay unless given.
        var changed = await SendAsync(HttpMethod.Put, $"/_emulator/meetings/{id}",
            new JsonObject { ["platform"] = "google_meet", ["native_meeting_id"] = nativeId, ["status"] = "in_breakout_room" }.ToJsonString());
        Assert.Equal("in_breakout_room", changed.Json["status"]!.GetValue<string>());
        Assert.Equal(4, (await GetAsync($"/transcripts/google_meet/{nativeId}?meeting_id={id}")).Json["segments"]!.AsArray().Count);

        // Another meeting's id, or a body that says nothing, is refused.
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Put, $"/_emulator/meetings/{id}",
            new JsonObject { ["platform"] = "zoom", ["native_meeting_id"] = "12345678901", ["status"] = "active" }.ToJsonString())).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendAsync(HttpMethod.Put, $"/_emulator/meetings/{id}", "{}")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendAsync(HttpMethod.Put, $"/_emulator/meetings/{id}",
            new JsonObject { ["platform"] = "google_meet", ["native_meeting_id"] = nativeId, ["status"] = "active", ["start_time"] = "soon" }
                .ToJsonString())).Status);
    }

    [Fact]
    public async Task Reset_forgets_meetings_bots_and_stats()
    {
        await StartBotAsync("google_meet", Contract.GoogleMeetId());

        var reset = await SendAsync(HttpMethod.Post, "/_emulator/reset");

        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Empty((await GetAsync("/meetings")).Json["meetings"]!.AsArray());
        Assert.Empty((await GetAsync("/bots/status")).Json["running_bots"]!.AsArray());
        var stats = (await SendAsync(HttpMethod.Get, "/_emulator/stats")).Object;
        Assert.Equal(2, Count(stats, "requests_total"));
        Assert.Equal(0, Count(stats, "bot_starts"));
        Assert.Equal(1, Count(stats, "meeting_listings"));
    }

    [Fact]
    public async Task Emulator_does_not_start_without_a_system_key()
    {
        // Every start fails. WebApplicationFactory sometimes reports the failed start as an ObjectDisposedException
        // (its host is disposed while it waits), so the reason is looked for in up to three attempts.
        var errors = new List<string>();
        for (var attempt = 0; attempt < 3 && !errors.Any(e => e.Contains("SystemApiKey", StringComparison.Ordinal)); attempt++)
        {
            await using var factory = WholesalerTarget.CreateEmulator(new Dictionary<string, string?> { ["Emulator:SystemApiKey"] = "" });
            var error = Record.Exception(() => factory.CreateClient());
            Assert.NotNull(error);
            errors.Add(error.ToString());
        }
        Assert.Contains(errors, e => e.Contains("SystemApiKey", StringComparison.Ordinal));
    }

    private static long Count(JsonObject stats, string field) => stats[field]!.GetValue<long>();

    private static long Seen(JsonObject stats, string key) => stats["api_keys_seen"]![key]?.GetValue<long>() ?? 0;

    private static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
}
