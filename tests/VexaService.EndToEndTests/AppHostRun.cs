using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.EndToEndTests;

/// <summary>
/// One start of the real AppHost in local-process mode on a given data folder and ports: PostgreSQL and Redis
/// processes, the migrator, every service and the Wholesaler emulator, awaited until every resource is healthy.
/// Starting twice on the same folder is a restart on kept data.
/// </summary>
public static class AppHostRun
{
    public static readonly string[] Services = ["postgres", "redis", "wholesaler", "admin-api", "bot-manager", "transcripts", "gateway"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    public sealed record Ports(int Postgres, int Redis)
    {
        /// <summary>Free ports, not fixed ones: a second run (or a developer's app) on the same machine must not collide.</summary>
        public static Ports Free() => new(
            int.Parse(Environment.GetEnvironmentVariable("VEXA_E2E_POSTGRES_PORT") ?? VexaService.IntegrationTests.Infrastructure.Loopback.FreePort().ToString()),
            int.Parse(Environment.GetEnvironmentVariable("VEXA_E2E_REDIS_PORT") ?? VexaService.IntegrationTests.Infrastructure.Loopback.FreePort().ToString()));
    }

    /// <summary>
    /// The AppHost in local-process mode on the data folder and ports; <paramref name="settings"/> add to them. The
    /// testing builder runs no dashboard, yet hands every service the dashboard's OTLP address: with nothing listening
    /// there, each service's exporter retried its telemetry at exit, and the migrator took 20 s instead of 2 (every stop
    /// waited as long). Here the services export nothing.
    /// </summary>
    public static async Task<IDistributedApplicationTestingBuilder> BuilderAsync(string dataDirectory, Ports ports, CancellationToken ct,
        params string[] settings)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.VexaService_AppHost>(
        [
            "--LocalInfra:Mode=processes",
            $"--LocalInfra:DataDirectory={dataDirectory}",
            $"--LocalInfra:PostgresPort={ports.Postgres}",
            $"--LocalInfra:RedisPort={ports.Redis}",
            .. settings,
        ], ct);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }
        return builder;
    }

    /// <summary>
    /// Starts the AppHost and waits until every service is healthy. One failed start is retried: on this 2-core machine,
    /// with two AppHosts starting at once, the orchestrator (DCP) has now and then cancelled its own resource creation
    /// (a TaskCanceledException inside <c>DcpExecutor.CreateRenderedResourcesAsync</c>, long before our timeout). A
    /// start that fails twice fails the test.
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(string dataDirectory, Ports ports)
    {
        try
        {
            return await StartOnceAsync(dataDirectory, ports);
        }
        catch (Exception e)
        {
            TestContext.Current.SendDiagnosticMessage($"AppHost start failed ({e.GetType().Name}: {e.Message}); retrying once");
            return await StartOnceAsync(dataDirectory, ports);
        }
    }

    private static async Task<DistributedApplication> StartOnceAsync(string dataDirectory, Ports ports)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await BuilderAsync(dataDirectory, ports, cts.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        var app = await builder.BuildAsync(cts.Token);
        try
        {
            await app.StartAsync(cts.Token);
            await app.ResourceNotifications.WaitForResourceAsync("db-migrator", KnownResourceStates.Finished, cts.Token);
            foreach (var name in Services)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
            }
            return app;
        }
        catch
        {
            try
            {
                await StopAsync(app); // its processes and ports, before anyone tries again
            }
            catch (Exception stopping)
            {
                TestContext.Current.SendDiagnosticMessage($"Stopping the failed AppHost failed too: {stopping.Message}");
            }
            throw;
        }
    }

    public static async Task StopAsync(DistributedApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static async Task<string> ParameterAsync(this DistributedApplication app, string name)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(CancellationToken.None) ?? throw new InvalidOperationException($"{name} has no value");
    }

    /// <summary>A new user and an API key for them, made with the admin key through the gateway.</summary>
    public static async Task<string> NewUserKeyAsync(this DistributedApplication app, HttpClient gateway, CancellationToken ct)
    {
        var adminKey = await app.ParameterAsync("admin-api-key");
        using var createUser = new HttpRequestMessage(HttpMethod.Post, "/admin/users")
        {
            Content = JsonContent.Create(new { email = $"e2e-{Guid.NewGuid():N}@example.com" }),
        };
        createUser.Headers.Add("X-Admin-API-Key", adminKey);
        var userId = (await (await gateway.SendAsync(createUser, ct)).Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();
        using var createToken = new HttpRequestMessage(HttpMethod.Post, $"/admin/users/{userId}/tokens");
        createToken.Headers.Add("X-Admin-API-Key", adminKey);
        return (await (await gateway.SendAsync(createToken, ct)).Content.ReadFromJsonAsync<JsonObject>(ct))!["token"]!.GetValue<string>();
    }

    public static async Task<HttpResponseMessage> SendWithKeyAsync(this HttpClient gateway, HttpMethod method, string path,
        string apiKey, CancellationToken ct, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-API-Key", apiKey);
        return await gateway.SendAsync(request, ct);
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), $"vexa-e2e-{Guid.NewGuid():N}"[..22]);

    public static void DeleteDataDirectory(string dataDirectory)
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be writing its last files; the folder is in the temp directory anyway.
        }
    }
}
