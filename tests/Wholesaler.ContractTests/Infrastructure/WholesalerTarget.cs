using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using VexaService.WholesalerEmulator;

namespace Wholesaler.ContractTests.Infrastructure;

/// <summary>
/// "A Wholesaler": a real Vexa deployment when <c>WHOLESALER_CONTRACT_URL</c> and <c>WHOLESALER_CONTRACT_API_KEY</c> are
/// set, otherwise the emulator started in-process with small timing knobs and a generated key.
/// </summary>
public sealed class WholesalerTarget : IAsyncLifetime
{
    public const string UrlVariable = "WHOLESALER_CONTRACT_URL";
    public const string KeyVariable = "WHOLESALER_CONTRACT_API_KEY";
    public const string WebhookBaseVariable = "WHOLESALER_CONTRACT_WEBHOOK_BASE";
    public const string WebhookPortVariable = "WHOLESALER_CONTRACT_WEBHOOK_PORT";
    public const string LiveMeetingVariable = "WHOLESALER_CONTRACT_LIVE_MEETING_ID";

    /// <summary>Emulator knobs used by the in-process target.</summary>
    public const int EmulatorMaxConcurrentBots = 10;
    public const int EmulatorStopDelayMs = 300;

    private WebApplicationFactory<WholesalerEmulatorMarker>? _factory;

    public bool IsEmulator => _factory is not null;
    public string ApiKey { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;

    /// <summary>
    /// Whether the Wholesaler is a Vexa whose bots report their own way in (main as of 2025-09: POST /bots answers
    /// <c>requested</c>) rather than dfc7c83e (<c>active</c> at once). The emulator plays dfc7c83e unless a test switches
    /// it; a real Wholesaler says which with its first POST /bots answer (<see cref="WholesalerTestBase.StartBotAsync"/>).
    /// </summary>
    public bool PushesStatuses => !IsEmulator && _firstStatus == "requested";

    private string? _firstStatus;

    internal void Learn(string? status) => _firstStatus ??= status;

    /// <summary>How long to wait for things that take a bot's lifetime (join, leave, webhook).</summary>
    public TimeSpan PatienceFor => IsEmulator ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(120);

    public static string? Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    public ValueTask InitializeAsync()
    {
        if (Setting(UrlVariable) is { } url && Setting(KeyVariable) is { } key)
        {
            ApiKey = key;
            Client = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
            return ValueTask.CompletedTask;
        }

        ApiKey = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
        _factory = CreateEmulator(new Dictionary<string, string?>
        {
            ["Emulator:SystemApiKey"] = ApiKey,
            ["Emulator:MaxConcurrentBots"] = EmulatorMaxConcurrentBots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Emulator:BotJoinDelayMs"] = "100",
            ["Emulator:SegmentIntervalMs"] = "50",
            ["Emulator:StopDelayMs"] = EmulatorStopDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Emulator:SegmentFinalizeDelayMs"] = "200",
            ["Emulator:WebhookTimeoutMs"] = "5000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        Client = _factory.CreateClient();
        return ValueTask.CompletedTask;
    }

    /// <summary>A socket to the target's <c>/ws</c> (contract §14), the key in <c>X-API-Key</c>, in <c>?api_key=</c>, or none.</summary>
    public async Task<WebSocket> ConnectLiveAsync(string? key, bool inQuery, CancellationToken ct)
    {
        var query = key is not null && inQuery ? "?api_key=" + Uri.EscapeDataString(key) : "";
        var http = new Uri(Client.BaseAddress!, "ws");
        var ws = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Port = http.Port, Query = query }.Uri;
        if (_factory is not null)
        {
            var client = _factory.Server.CreateWebSocketClient();
            if (key is not null && !inQuery)
            {
                client.ConfigureRequest = request => request.Headers["X-API-Key"] = key;
            }
            return await client.ConnectAsync(ws, ct);
        }
        var socket = new ClientWebSocket();
        if (key is not null && !inQuery)
        {
            socket.Options.SetRequestHeader("X-API-Key", key);
        }
        await socket.ConnectAsync(ws, ct);
        return socket;
    }

    public static WebApplicationFactory<WholesalerEmulatorMarker> CreateEmulator(IReadOnlyDictionary<string, string?> settings) =>
        new WebApplicationFactory<WholesalerEmulatorMarker>().WithWebHostBuilder(builder =>
        {
            foreach (var (name, value) in settings)
            {
                builder.UseSetting(name, value);
            }
        });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WholesalerCollection : ICollectionFixture<WholesalerTarget>
{
    /// <summary>One collection: the Wholesaler's state (bot limit, webhook URL, faults) is shared, so tests run one at a time.</summary>
    public const string Name = "Wholesaler";
}
