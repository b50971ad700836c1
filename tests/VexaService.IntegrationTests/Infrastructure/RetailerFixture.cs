using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VexaService.BotManager;
using VexaService.Data;
using VexaService.Http;
using VexaService.Transcripts;
using VexaService.WholesalerEmulator;

namespace VexaService.IntegrationTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class RetailerCollection : ICollectionFixture<RetailerFixture>
{
    public const string Name = "retailer";
}

/// <summary>The bots' tests (starts, quotas, faults on the Wholesaler, status following, reconciler passes, the call
/// budget) on a stack and database of their own: a reconciler pass fails every live row another Wholesaler issued,
/// which in a shared database would be other stacks' meetings.</summary>
[CollectionDefinition(Name)]
public sealed class BotsCollection : ICollectionFixture<BotsStack>
{
    public const string Name = "bots";
}

public sealed class BotsStack : RetailerFixture
{
    protected override bool OwnDatabase => true;
}

/// <summary>The <c>/ws</c> tests on a stack and database of their own: they run beside the others instead of after them.</summary>
[CollectionDefinition(Name)]
public sealed class LiveCollection : ICollectionFixture<LiveStack>
{
    public const string Name = "live";
}

public sealed class LiveStack : RetailerFixture
{
    protected override bool OwnDatabase => true;
}

/// <summary>
/// The Retailer's BotManager (two replicas) and Transcripts services on real PostgreSQL and Redis, talking over real
/// HTTP to one Wholesaler emulator, which posts its webhooks back to Transcripts. Callers are signed as the gateway
/// would sign them (the gateway itself is tested elsewhere). Each collection's stack has its own emulator (its faults,
/// behaviour and counters are its own); <see cref="BotsStack"/> and <see cref="LiveStack"/> also have their own database.
/// </summary>
public class RetailerFixture : IAsyncLifetime
{
    private IsolatedDatabase? _ownDatabase;

    /// <summary>Whether the stack gets a database of its own rather than the shared test database.</summary>
    protected virtual bool OwnDatabase => false;

    /// <summary>The emulator's settings beyond the fixture's (which Vexa it plays, for one).</summary>
    protected virtual void ConfigureEmulator(Dictionary<string, string?> settings)
    {
    }

    /// <summary>BotManager's and Transcripts' settings beyond the fixture's (which Vexa they expect, for one).</summary>
    protected virtual void ConfigureServices(Dictionary<string, string?> settings)
    {
    }

    /// <summary>The stack's database: what its services use, and what tests of its collection read and write.</summary>
    public string Database { get; private set; } = "";

    public VexaDbContext NewDbContext() => TestEnvironment.NewDbContext(Database);

    /// <summary>A new API key of <paramref name="userId"/> in the stack's database.</summary>
    public Task<string> NewKeyAsync(long userId, DateTime? expiresAt = null) => TestEnvironment.NewKeyAsync(userId, expiresAt, Database);

    public const string CallbackSecret = TestEnvironment.CallbackSecret;

    /// <summary>The emulator's own concurrency limit for the system user: room for every test's bots at once.</summary>
    public const int EmulatorBotLimit = 150;

    public ServiceFactory<WholesalerEmulatorMarker> Emulator { get; private set; } = null!;
    public string EmulatorUrl { get; private set; } = "";
    public ServiceFactory<BotManagerMarker> BotManager { get; private set; } = null!;
    public ServiceFactory<BotManagerMarker> BotManagerReplica { get; private set; } = null!;
    public ServiceFactory<TranscriptsMarker> Transcripts { get; private set; } = null!;
    public string TranscriptsUrl { get; private set; } = "";
    public HttpClient Wholesaler { get; private set; } = null!;
    public CallerToken Signer { get; } = new(Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), TimeProvider.System);

    public async ValueTask InitializeAsync()
    {
        if (OwnDatabase)
        {
            _ownDatabase = await IsolatedDatabase.CreateAsync();
            Database = _ownDatabase.ConnectionString;
        }
        else
        {
            await TestEnvironment.EnsureMigratedAsync();
            Database = TestEnvironment.Postgres;
        }
        await using (var db = NewDbContext())
        {
            // The emulator numbers its meetings from 1 in every run; earlier runs' mappings would collide. Only earlier
            // runs' mappings: the other collections of this run are inserting theirs at this moment, and count on them,
            // some backdated (the usage tests' meetings of November, which map nothing: deleting one under that test
            // billed it as running until now).
            var thisRun = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
            await db.WebhookDeliveries.Where(d => d.CreatedAt < thisRun).ExecuteDeleteAsync();
            await db.Meetings.Where(m => m.CreatedAt < thisRun && m.WholesalerMeetingId != null).ExecuteDeleteAsync();
        }

        var emulatorPort = Loopback.FreePort();
        EmulatorUrl = $"http://127.0.0.1:{emulatorPort}";
        var emulatorSettings = new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
            ["Emulator:BotJoinDelayMs"] = "50",
            ["Emulator:SegmentIntervalMs"] = "50",
            ["Emulator:StopDelayMs"] = "200",
            ["Emulator:SegmentFinalizeDelayMs"] = "0",
            ["Emulator:MaxConcurrentBots"] = EmulatorBotLimit.ToString(),
        };
        ConfigureEmulator(emulatorSettings);
        Emulator = new ServiceFactory<WholesalerEmulatorMarker>(emulatorSettings);
        Emulator.UseKestrelOn(emulatorPort);
        Emulator.StartServer();
        Wholesaler = new HttpClient { BaseAddress = new Uri(EmulatorUrl) };
        Wholesaler.DefaultRequestHeaders.Add("X-API-Key", TestEnvironment.WholesalerKey);

        BotManager = NewBotManager();
        BotManagerReplica = NewBotManager();
        (Transcripts, TranscriptsUrl) = await StartTranscriptsAsync();
    }

    public ServiceFactory<BotManagerMarker> NewBotManager(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = Database,
            ["Wholesaler:BaseAddress"] = EmulatorUrl,
            // Tight enough to test timeouts quickly, loose enough for a loaded 2-core CI machine in normal operation.
            ["Wholesaler:AttemptTimeout"] = "00:00:02",
            ["Wholesaler:TotalTimeout"] = "00:00:05",
            // The shared call budget and running-bots copy are tested on their own (WholesalerBudgetTests); here every call
            // goes through, and /bots/status shows a bot's exit at once.
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Wholesaler:RunningBotsMaxAge"] = "00:00:00",
            ["Reconciler:Interval"] = "01:00:00", // tests run passes themselves
            ["Reconciler:Grace"] = "00:10:00",
        };
        ConfigureServices(settings);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return new ServiceFactory<BotManagerMarker>(settings);
    }

    /// <summary>A Transcripts instance on its own port; it registers that port with the emulator as the webhook callback.</summary>
    public async Task<(ServiceFactory<TranscriptsMarker>, string)> StartTranscriptsAsync(string pollInterval = "00:00:00.200")
    {
        var port = Loopback.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = Database,
            ["Wholesaler:BaseAddress"] = EmulatorUrl,
            ["Webhooks:PublicBaseUrl"] = url,
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Webhooks:CallbackSecret"] = CallbackSecret,
            ["Webhooks:PollInterval"] = pollInterval,
            ["Webhooks:RetryBaseDelay"] = "00:00:00.300",
        };
        ConfigureServices(settings);
        var transcripts = new ServiceFactory<TranscriptsMarker>(settings);
        transcripts.UseKestrelOn(port);
        transcripts.StartServer();
        // The instance registers this callback itself at start-up (WebhookRegistration); setting it here as well
        // makes the order deterministic for the test that follows.
        await RegisterCallbackAsync(url + "/internal/wholesaler-webhook/" + CallbackSecret);
        return (transcripts, url);
    }

    /// <summary>
    /// Which Vexa the emulator plays for bots started from now: <c>dfc7c83e</c> (the fixture's default) or <c>2025-09</c>
    /// (statuses on timers of <paramref name="stepMs"/>, each pushed). Tests that switch switch back in a finally.
    /// </summary>
    public async Task PlayAsync(string version, int stepMs = 200, bool refuseAdmission = false) =>
        (await Wholesaler.PutAsJsonAsync("/_emulator/behaviour",
            new { version, status_step_ms = stepMs, refuse_admission = refuseAdmission })).EnsureSuccessStatusCode();

    public const string Dfc7c83e = "dfc7c83e";
    public const string September2025 = "2025-09";

    /// <summary>Points the emulator's webhook back at the main Transcripts instance.</summary>
    public Task RegisterMainCallbackAsync() => RegisterCallbackAsync(TranscriptsUrl + "/internal/wholesaler-webhook/" + CallbackSecret);

    /// <summary>Registers the callback as our services do for the Vexa the emulator plays (today's: with the signing
    /// secret and every event).</summary>
    protected virtual Task RegisterCallbackAsync(string url) => Wholesaler.PutAsJsonAsync("/user/webhook", new { webhook_url = url });

    /// <param name="events">The webhook events the user chose (<c>data.webhook_events</c>); null: none chosen (Vexa's default).</param>
    public async Task<long> NewUserAsync(int maxBots = 5, string? webhookUrl = null, string? webhookSecret = null, string[]? events = null)
    {
        await using var db = NewDbContext();
        var settings = new JsonObject();
        if (webhookUrl is not null)
        {
            settings["webhook_url"] = webhookUrl;
        }
        if (events is not null)
        {
            settings[WebhookEvents.DataKey] = new JsonArray([.. events.Select(e => JsonValue.Create(e))]);
        }
        var data = settings.ToJsonString();
        var user = new User { Email = TestEnvironment.UniqueEmail("retail"), MaxConcurrentBots = maxBots, Data = data, WebhookSecret = webhookSecret };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>
    /// A meeting row of <paramref name="userId"/>'s mapped to a Wholesaler meeting that the emulator holds with no bot
    /// behind it (<see cref="WholesalerHoldsAsync"/>, in the same status), so that a test can change it and post the
    /// Wholesaler's webhook for it; returns our id and that Wholesaler id.
    /// </summary>
    public async Task<(long MeetingId, long WholesalerId, string MeetId)> SeedMeetingAsync(long userId, string status = MeetingStatus.Active)
    {
        var (wholesalerId, meetId) = (NewWholesalerId(), NewMeetId());
        var issuer = await WholesalerHoldsAsync(wholesalerId, meetId, status);
        return (await InsertMeetingAsync(userId, issuer, wholesalerId, meetId, status), wholesalerId, meetId);
    }

    /// <summary>A Google Meet meeting row of <paramref name="userId"/>'s, written directly (whatever the Wholesaler holds).</summary>
    public async Task<long> InsertMeetingAsync(long userId, string issuer, long wholesalerId, string meetId, string status)
    {
        await using var db = NewDbContext();
        var meeting = new Meeting
        {
            UserId = userId, Platform = "google_meet", NativeMeetingId = meetId, WholesalerMeetingId = wholesalerId,
            WholesalerIssuer = issuer, Status = status, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return meeting.Id;
    }

    /// <summary>A Wholesaler meeting id the emulator never hands out by itself (it counts from 1).</summary>
    public static long NewWholesalerId() => Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);

    /// <summary>
    /// Makes the emulator hold Google Meet meeting <paramref name="wholesalerId"/> as given (<c>PUT /_emulator/meetings/{id}</c>):
    /// what the Retailer reads back when a webhook names it. Returns the issuer that the Retailer records for its ids.
    /// </summary>
    /// <param name="segments">Set: its transcript has this many segments (speakers and languages to aggregate).</param>
    public async Task<string> WholesalerHoldsAsync(long wholesalerId, string meetId, string status, int? segments = null,
        string? startTime = null, string? endTime = null)
    {
        var staged = await Wholesaler.PutAsJsonAsync($"/_emulator/meetings/{wholesalerId}", new JsonObject
        {
            ["platform"] = "google_meet", ["native_meeting_id"] = meetId, ["status"] = status, ["segments"] = segments,
            ["start_time"] = startTime, ["end_time"] = endTime,
        });
        staged.EnsureSuccessStatusCode();
        return $"{EmulatorUrl}#{staged.Headers.GetValues("X-Wholesaler-Instance").Single()}";
    }

    /// <summary>Sends a request to a service as the gateway would forward it for <paramref name="userId"/>.</summary>
    public async Task<HttpResponseMessage> AsUserAsync(HttpClient service, long userId, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(CallerToken.HeaderName, Signer.Sign(userId));
        return await service.SendAsync(request);
    }

    public async Task<JsonObject> EmulatorStatsAsync() =>
        (await Wholesaler.GetFromJsonAsync<JsonObject>("/_emulator/stats"))!;

    /// <summary>Starts a Google Meet bot for <paramref name="userId"/> through BotManager; returns our meeting id.</summary>
    public async Task<long> StartBotAsync(long userId, string meetId)
    {
        var response = await AsUserAsync(BotManager.CreateClient(), userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync())["id"]!.GetValue<long>();
    }

    /// <summary>Stops the user's bot and waits until our listing shows the meeting completed.</summary>
    public async Task StopAndWaitCompletedAsync(long userId, string meetId, long meetingId)
    {
        var (bots, transcripts) = (BotManager.CreateClient(), Transcripts.CreateClient());
        await AsUserAsync(bots, userId, HttpMethod.Delete, $"/bots/google_meet/{meetId}");
        await WaitUntilAsync(async () =>
        {
            var meetings = await (await AsUserAsync(transcripts, userId, HttpMethod.Get, "/meetings")).JsonAsync();
            return meetings["meetings"]!.AsArray().Any(m => m!["id"]!.GetValue<long>() == meetingId && m["status"]!.GetValue<string>() == "completed");
        });
    }

    /// <summary>Whether the Wholesaler still holds its meeting <paramref name="wholesalerId"/>.</summary>
    public async Task<bool> WholesalerHasAsync(long wholesalerId) =>
        (await Wholesaler.GetFromJsonAsync<JsonObject>("/meetings"))!["meetings"]!.AsArray()
            .Any(m => m!["id"]!.GetValue<long>() == wholesalerId);

    /// <summary>The Wholesaler's id for our meeting, read from the database.</summary>
    public async Task<long> WholesalerIdAsync(long meetingId)
    {
        await using var db = NewDbContext();
        return (await db.Meetings.SingleAsync(m => m.Id == meetingId)).WholesalerMeetingId!.Value;
    }

    /// <summary>Every request the Wholesaler (emulator) has received: what we cost it.</summary>
    public async Task<long> WholesalerRequestsAsync() => (await EmulatorStatsAsync())["requests_total"]!.GetValue<long>();

    /// <summary>
    /// How often the Wholesaler's running bots were listed (<c>GET /bots/status</c>). Unlike <see cref="WholesalerRequestsAsync"/>,
    /// it does not count what earlier tests' bots still cause (a late webhook's read-back).
    /// </summary>
    public async Task<long> RunningBotsListingsAsync() => (await EmulatorStatsAsync())["running_bots_listings"]!.GetValue<long>();

    /// <summary>The Wholesaler's transcript answers for its meeting <paramref name="wholesalerId"/>.</summary>
    public async Task<long> TranscriptRequestsAsync(long wholesalerId) =>
        (await EmulatorStatsAsync())["transcript_requests"]![wholesalerId.ToString(System.Globalization.CultureInfo.InvariantCulture)]?.GetValue<long>() ?? 0;

    /// <summary>How often the Wholesaler's whole meeting list (which grows with history) has been fetched.</summary>
    public async Task<long> MeetingListingsAsync() => (await EmulatorStatsAsync())["meeting_listings"]!.GetValue<long>();

    /// <summary>Our meeting row's status, read from the database.</summary>
    public Task<string> MeetingStatusAsync(long meetingId) => TestEnvironment.MeetingStatusAsync(meetingId, Database);

    /// <summary>
    /// Puts a meeting that completed at the Wholesaler (and here) back to <c>active</c> in our table, last touched at
    /// <paramref name="updatedAt"/>, with no completion event for its owner: what a lost completion webhook leaves.
    /// </summary>
    public async Task LoseCompletionAsync(long meetingId, DateTime updatedAt)
    {
        await using var db = NewDbContext();
        // In SQL, past the status writer: nothing is told, as nothing was.
        await db.Meetings.Where(m => m.Id == meetingId).ExecuteUpdateAsync(u => u
            .SetProperty(m => m.Status, MeetingStatus.Active).SetProperty(m => m.EndTime, (DateTime?)null).SetProperty(m => m.UpdatedAt, updatedAt));
        await db.WebhookDeliveries.Where(d => d.MeetingId == meetingId).ExecuteDeleteAsync();
    }

    public static string NewMeetId()
    {
        var letters = "abcdefghijklmnopqrstuvwxyz";
        string Part(int n) => new(Enumerable.Range(0, n).Select(_ => letters[Random.Shared.Next(letters.Length)]).ToArray());
        return $"{Part(3)}-{Part(4)}-{Part(3)}";
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time");
            }
            await Task.Delay(50);
        }
    }


    public async ValueTask DisposeAsync()
    {
        await Transcripts.DisposeAsync();
        await BotManagerReplica.DisposeAsync();
        await BotManager.DisposeAsync();
        await Emulator.DisposeAsync();
        Wholesaler.Dispose();
        if (_ownDatabase is not null)
        {
            await _ownDatabase.DisposeAsync();
        }
    }
}
