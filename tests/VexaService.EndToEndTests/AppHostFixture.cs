namespace VexaService.EndToEndTests;

/// <summary>
/// Starts the real AppHost once for the test class, on its own ports and a fresh data folder (so a developer's
/// running app is not disturbed), and waits until every resource is healthy; <see cref="RestartAsync"/> stops it and
/// starts it again on the same data, as <c>scripts/run.sh</c> does (one start less than a restart test of its own: an
/// AppHost start is about a minute of this 2-core machine).
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = AppHostRun.Services;

    private readonly string _dataDirectory = AppHostRun.NewDataDirectory();
    private readonly AppHostRun.Ports _ports = AppHostRun.Ports.Free();

    public DistributedApplication App { get; private set; } = null!;
    public TimeSpan StartDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        App = await AppHostRun.StartAsync(_dataDirectory, _ports);
        StartDuration = started.Elapsed;
    }

    /// <summary>Stops the app and starts it again on the same data folder and ports (the tests of the class run one at a
    /// time, so none is using it meanwhile).</summary>
    public async Task RestartAsync()
    {
        var app = App;
        App = null!;
        await AppHostRun.StopAsync(app);
        App = await AppHostRun.StartAsync(_dataDirectory, _ports);
    }

    public Task<string> ParameterAsync(string name) => App.ParameterAsync(name);

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await AppHostRun.StopAsync(App);
        }
        AppHostRun.DeleteDataDirectory(_dataDirectory);
    }
}
