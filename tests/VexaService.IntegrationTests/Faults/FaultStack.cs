using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.AdminApi;
using VexaService.BotManager;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Transcripts;
using VexaService.WholesalerEmulator;

namespace VexaService.IntegrationTests.Faults;

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultStack>
{
    public const string Name = "faults";
}

/// <summary>
/// The whole Retailer on real loopback ports with its own PostgreSQL and Redis processes and its own Wholesaler
/// emulator: what an end user reaches through the gateway, with every dependency under the suite's control.
/// </summary>
public sealed class FaultStack : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"vexa-faults-{Guid.NewGuid():N}"[..24]);
    private readonly List<IAsyncDisposable> _services = [];

    public LocalServer Postgres { get; private set; } = null!;
    public LocalServer Redis { get; private set; } = null!;
    public string ConnectionString => $"Host=127.0.0.1;Port={Postgres.Port};Database=vexa;Username=postgres;Timeout=3;Command Timeout=5";
    public HttpClient Gateway { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Wholesaler { get; private set; } = null!;
    public ServiceFactory<BotManagerMarker> BotManager { get; private set; } = null!;
    public string TranscriptsUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101); // the postgres OS user must reach inside
        }
        Postgres = new LocalServer("local-postgres.sh", Path.Combine(_dataDirectory, "postgres"), Loopback.FreePort());
        Redis = new LocalServer("local-redis.sh", Path.Combine(_dataDirectory, "redis"), Loopback.FreePort());
        await Postgres.StartAsync();
        await Redis.StartAsync();
        await using (var db = NewDbContext())
        {
            await RetryAsync(() => db.Database.MigrateAsync());
        }

        var emulatorUrl = Start(new ServiceFactory<WholesalerEmulatorMarker>(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = TestEnvironment.WholesalerKey,
            ["Emulator:BotJoinDelayMs"] = "50",
            ["Emulator:SegmentIntervalMs"] = "50",
            ["Emulator:StopDelayMs"] = "200",
            ["Emulator:SegmentFinalizeDelayMs"] = "0",
            ["Emulator:MaxConcurrentBots"] = "500",
        }));
        Wholesaler = new HttpClient { BaseAddress = new Uri(emulatorUrl) };
        Wholesaler.DefaultRequestHeaders.Add("X-API-Key", TestEnvironment.WholesalerKey);

        var stores = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = ConnectionString,
            ["ConnectionStrings:cache"] = $"127.0.0.1:{Redis.Port}",
            ["Wholesaler:BaseAddress"] = emulatorUrl,
            // Tight enough to test timeouts quickly, loose enough for a loaded 2-core CI machine in normal operation.
            ["Wholesaler:AttemptTimeout"] = "00:00:02",
            ["Wholesaler:TotalTimeout"] = "00:00:05",
            ["Wholesaler:BreakerBreakDuration"] = "00:00:01",
            // Every call reaches the faulty Wholesaler: the budget and the running-bots copy have their own tests.
            ["Wholesaler:BudgetPerSecond"] = "0",
            ["Wholesaler:RunningBotsMaxAge"] = "00:00:00",
            ["Reconciler:Interval"] = "01:00:00",
            ["Reconciler:Grace"] = "00:00:00",
        };
        var adminUrl = Start(new ServiceFactory<AdminApiMarker>(stores));
        BotManager = new ServiceFactory<BotManagerMarker>(stores);
        var botManagerUrl = Start(BotManager);
        var transcriptsPort = Loopback.FreePort();
        TranscriptsUrl = $"http://127.0.0.1:{transcriptsPort}";
        Start(new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>(stores)
        {
            ["Webhooks:PublicBaseUrl"] = TranscriptsUrl,
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.300",
        }), transcriptsPort);
        var gatewayUrl = Start(new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>(stores)
        {
            ["services:admin-api:http:0"] = adminUrl,
            ["services:bot-manager:http:0"] = botManagerUrl,
            ["services:transcripts:http:0"] = TranscriptsUrl,
            ["RateLimit:PermitLimit"] = "1000000", // the abuse corpus is one key sending thousands of requests
            // Every test of the collection calls from 127.0.0.1: per-client budgets spent by one (Redis down makes every
            // key a lookup; the corpus sends wrong admin keys) would refuse the next one's requests. PreAuthFloodTests
            // tests them on gateways of their own.
            ["RateLimit:ClientLookupsPerSecond"] = "0",
            ["RateLimit:ClientAdminFailuresPerMinute"] = "0",
        }));
        Gateway = new HttpClient { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = new Uri(gatewayUrl) };
        Admin.DefaultRequestHeaders.Add("X-Admin-API-Key", TestEnvironment.AdminKey);
    }

    private string Start<T>(ServiceFactory<T> factory, int? port = null) where T : class
    {
        var chosen = port ?? Loopback.FreePort();
        factory.UseKestrelOn(chosen);
        factory.StartServer();
        _services.Add(factory);
        return $"http://127.0.0.1:{chosen}";
    }

    /// <summary>With retries: pooled connections die when the suite restarts PostgreSQL.</summary>
    public VexaDbContext NewDbContext() => TestEnvironment.NewDbContext(ConnectionString, retryOnFailure: true);

    /// <summary>A user with a key, created through the gateway as an operator would.</summary>
    public async Task<(long Id, string Key)> NewUserAsync(int maxBots = 5)
    {
        var user = await Admin.PostAsJsonAsync("/admin/users", new { email = TestEnvironment.UniqueEmail("fault"), max_concurrent_bots = maxBots });
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        var id = (await user.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var token = await Admin.PostAsync($"/admin/users/{id}/tokens", null);
        return (id, (await token.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
    }

    public Task<HttpResponseMessage> SendAsync(string key, HttpMethod method, string path, object? body = null) =>
        Gateway.SendAsync(method, path, key, body is null ? null : JsonContent.Create(body));

    public static async Task RetryAsync(Func<Task> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }


    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
