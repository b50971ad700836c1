namespace VexaService.EndToEndTests;

/// <summary>
/// Starts the real AppHost once for the test class, on its own ports and a fresh data folder (so a developer's
/// running app is not disturbed), and waits until every resource is healthy.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = AppHostRun.Services;

    private readonly string _dataDirectory = AppHostRun.NewDataDirectory();

    public DistributedApplication App { get; private set; } = null!;
    public TimeSpan StartDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        App = await AppHostRun.StartAsync(_dataDirectory, AppHostRun.Ports.Free());
        StartDuration = started.Elapsed;
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
