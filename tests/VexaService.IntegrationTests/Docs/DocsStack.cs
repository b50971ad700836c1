using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VexaService.AdminApi;
using VexaService.BotManager;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Transcripts;

namespace VexaService.IntegrationTests.Docs;

[CollectionDefinition(Name)]
public sealed class DocsCollection : ICollectionFixture<DocsStack>
{
    public const string Name = "docs";
}

/// <summary>
/// The gateway and the three services it documents, on real loopback ports (a browser loads the page), against the
/// test PostgreSQL and Redis. No Wholesaler: documents never need one.
/// </summary>
public sealed class DocsStack : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _services = [];

    public string GatewayUrl { get; private set; } = "";
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Each service's endpoints as its routing has them, by service.</summary>
    public Dictionary<string, IReadOnlyList<Endpoint>> Endpoints { get; } = [];

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Wholesaler:BaseAddress"] = "http://127.0.0.1:9", // nothing listens: no call is made for documents
            // Idle: this stack shares the test database with the other suites, whose outbox rows and meetings are theirs.
            ["Reconciler:Interval"] = "01:00:00",
            ["Webhooks:DispatcherEnabled"] = "false",
        };
        var adminApi = Start("admin-api", new ServiceFactory<AdminApiMarker>(settings));
        var botManager = Start("bot-manager", new ServiceFactory<BotManagerMarker>(settings));
        var transcripts = Start("transcripts", new ServiceFactory<TranscriptsMarker>(settings));
        GatewayUrl = Start("gateway", new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>(settings)
        {
            ["services:admin-api:http:0"] = adminApi,
            ["services:bot-manager:http:0"] = botManager,
            ["services:transcripts:http:0"] = transcripts,
        }));
        Gateway = new HttpClient { BaseAddress = new Uri(GatewayUrl) };
    }

    private string Start<T>(string name, ServiceFactory<T> factory) where T : class
    {
        var port = Loopback.FreePort();
        factory.UseKestrelOn(port);
        factory.StartServer();
        _services.Add(factory);
        Endpoints[name] = factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).ToList();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }
    }
}
