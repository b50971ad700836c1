using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.EndToEndTests;

/// <summary>
/// Starts the real AppHost once for the test class: local PostgreSQL and Redis processes (on their own ports and
/// a fresh data folder, so a developer's running app is not disturbed), the migrator, every service and the
/// Wholesaler emulator; then waits until every resource is healthy.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["postgres", "redis", "wholesaler", "admin-api", "bot-manager", "transcripts", "gateway"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"vexa-e2e-{Guid.NewGuid():N}"[..22]);

    public DistributedApplication App { get; private set; } = null!;
    public TimeSpan StartDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.VexaService_AppHost>(
        [
            "--LocalInfra:Mode=processes",
            $"--LocalInfra:DataDirectory={_dataDirectory}",
            // Free ports, not fixed ones: a second run (or a developer's app) on the same machine must not collide.
            $"--LocalInfra:PostgresPort={Environment.GetEnvironmentVariable("VEXA_E2E_POSTGRES_PORT") ?? VexaService.IntegrationTests.Infrastructure.Loopback.FreePort().ToString()}",
            $"--LocalInfra:RedisPort={Environment.GetEnvironmentVariable("VEXA_E2E_REDIS_PORT") ?? VexaService.IntegrationTests.Infrastructure.Loopback.FreePort().ToString()}",
        ], cts.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        await App.ResourceNotifications.WaitForResourceAsync("db-migrator", KnownResourceStates.Finished, cts.Token);
        foreach (var name in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
        StartDuration = started.Elapsed;
    }

    public async Task<string> ParameterAsync(string name)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(CancellationToken.None) ?? throw new InvalidOperationException($"{name} has no value");
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A server may still be writing its last files; the folder is in the temp directory anyway.
        }
    }
}
