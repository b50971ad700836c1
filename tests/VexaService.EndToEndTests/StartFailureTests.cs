using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using VexaService.AppHost;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.EndToEndTests;

/// <summary>
/// A start that cannot work ends at once and says why, instead of waiting for ever with nothing on the console after
/// the dashboard's lines (issue 19: "Hosting failed to start" only when someone finally stopped it). Two causes:
/// PostgreSQL's or Redis's port held by another program, and a local server that exits before it is healthy.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class StartFailureTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_start_whose_PostgreSQL_port_another_program_holds_is_refused_naming_that_program()
    {
        using var holder = Listen(out var heldPort);
        var dataDirectory = AppHostRun.NewDataDirectory();
        using var cts = new CancellationTokenSource(StartTimeout);
        try
        {
            var builder = await AppHostRun.BuilderAsync(dataDirectory, new AppHostRun.Ports(heldPort, Loopback.FreePort()), cts.Token,
                "--LocalInfra:PortWaitSeconds=1");
            await using var app = await builder.BuildAsync(cts.Token);

            var refused = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(cts.Token));

            Assert.False(cts.IsCancellationRequested, "the start waited instead of being refused");
            Assert.Contains($"port {heldPort} (postgres) is in use by", refused.ToString());
            Assert.Contains($"pid {Environment.ProcessId}", refused.ToString());
            Assert.False(Directory.Exists(Path.Combine(dataDirectory, "postgres")), "PostgreSQL was started anyway");
        }
        finally
        {
            AppHostRun.DeleteDataDirectory(dataDirectory);
        }
    }

    [Fact]
    public async Task A_local_server_that_exits_before_it_is_healthy_ends_the_start_with_its_log()
    {
        // The data folder is a file: both servers' scripts fail at their first mkdir.
        var notADirectory = Path.GetTempFileName();
        using var cts = new CancellationTokenSource(StartTimeout);
        var exitCodeBefore = Environment.ExitCode;
        try
        {
            var builder = await AppHostRun.BuilderAsync(notADirectory, new AppHostRun.Ports(Loopback.FreePort(), Loopback.FreePort()), cts.Token);
            var logs = new FakeLogCollector();
            builder.Services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs)));
            await using var app = await builder.BuildAsync(cts.Token);
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();

            try
            {
                await app.StartAsync(cts.Token);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // The AppHost stopped itself while starting: that is the claim.
            }
            await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }, TaskScheduler.Default)
                .WaitAsync(cts.Token);

            Assert.False(cts.IsCancellationRequested, "the start waited instead of ending");
            Assert.Equal(1, Environment.ExitCode);
            var records = logs.GetSnapshot();
            var reported = Assert.Single(records, r => r.Level == LogLevel.Error && r.Category == "VexaService" && r.Message.Contains("exit code 1"));
            Assert.Contains("Not a directory", reported.Message); // the server's own words, from its log
            Assert.Contains(records, r => r.Level == LogLevel.Critical && r.Message.StartsWith("Stopping: every service needs"));
        }
        finally
        {
            Environment.ExitCode = exitCodeBefore;
            File.Delete(notADirectory);
        }
    }

    [Fact]
    public async Task The_port_check_waits_for_a_port_released_meanwhile_and_names_who_held_it()
    {
        var listener = Listen(out var port);
        var logger = new FakeLogger();
        var released = Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken).ContinueWith(_ => listener.Dispose(), TaskScheduler.Default);

        await PortCheck.WaitUntilFreeAsync([(port, "postgres")], TimeSpan.FromSeconds(30), logger, TestContext.Current.CancellationToken);
        await released;

        Assert.True(PortCheck.IsFree(port));
        var waiting = logger.Collector.GetSnapshot().First(r => r.Level == LogLevel.Warning);
        Assert.Contains($"port {port} (postgres) is in use by", waiting.Message);
        Assert.Contains($"pid {Environment.ProcessId}", waiting.Message);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.StartsWith("The ports are free after"));
    }

    [Fact]
    public void The_holder_of_a_port_is_found_and_a_free_port_has_none()
    {
        using var listener = Listen(out var port);

        var holder = PortHolder.Find(port);

        Assert.NotNull(holder);
        Assert.Equal(Environment.ProcessId, holder.Value.Pid);
        Assert.False(PortCheck.IsFree(port));
        listener.Dispose();
        Assert.Null(PortHolder.Find(port));
        Assert.True(PortCheck.IsFree(port));
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }
}
