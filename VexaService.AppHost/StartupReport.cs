using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VexaService.AppHost;

/// <summary>
/// Run mode: a resource that fails (does not start, or exits with an error) is reported on the AppHost's console with
/// the end of its own log, and the resources waiting for it fail too instead of waiting (Aspire's default, for a
/// resource someone may restart from the dashboard). Without this, a PostgreSQL that cannot start leaves the console
/// silent after the dashboard's lines for as long as one waits: the reason is only in its console log on the dashboard.
/// A local PostgreSQL or Redis that exits before it was ever healthy stops the AppHost (exit code 1): every service
/// needs it, and Aspire's waits for a dependency that started and then exited before it was healthy never end.
/// </summary>
internal static class StartupReport
{
    private const int LogLinesShown = 8;

    public static void ReportFailedResources(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        builder.Services.PostConfigure<ResourceNotificationServiceOptions>(options =>
            options.DefaultWaitBehavior = WaitBehavior.StopOnResourceUnavailable);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var resourceLogs = e.Services.GetRequiredService<ResourceLoggerService>();
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VexaService");
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(() => WatchAsync(notifications, resourceLogs, logger, lifetime), lifetime.ApplicationStopping);
            return Task.CompletedTask;
        });
    }

    private static async Task WatchAsync(ResourceNotificationService notifications, ResourceLoggerService resourceLogs,
        ILogger logger, IHostApplicationLifetime lifetime)
    {
        var stopping = lifetime.ApplicationStopping;
        var reported = new HashSet<string>();
        var wereHealthy = new HashSet<string>();
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                if (change.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                {
                    wereHealthy.Add(change.ResourceId);
                }
                var state = change.Snapshot.State?.Text;
                var failed = state == KnownResourceStates.FailedToStart
                    || (state is not null && KnownResourceStates.TerminalStates.Contains(state) && change.Snapshot.ExitCode is { } code && code != 0);
                if (!failed || stopping.IsCancellationRequested || !reported.Add(change.ResourceId))
                {
                    continue;
                }
                var tail = await LogTailAsync(resourceLogs, change.ResourceId, stopping);
                logger.LogError("{Resource} {State}{ExitCode}; the resources that wait for it will not start. Its log ends with:{Tail}",
                    change.Resource.Name, state, change.Snapshot.ExitCode is { } exit ? $" (exit code {exit})" : "",
                    tail.Count == 0 ? " (nothing)" : "\n  " + string.Join("\n  ", tail));
                if (change.Resource.Annotations.OfType<LocalServerAnnotation>().Any() && !wereHealthy.Contains(change.ResourceId))
                {
                    logger.LogCritical("Stopping: every service needs {Resource}", change.Resource.Name);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static async Task<List<string>> LogTailAsync(ResourceLoggerService resourceLogs, string resourceId, CancellationToken stopping)
    {
        var tail = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var batch in resourceLogs.GetAllAsync(resourceId).WithCancellation(timeout.Token))
            {
                tail.AddRange(batch.Select(line => line.Content));
            }
        }
        catch (OperationCanceledException)
        {
            // Whatever arrived in time is shown.
        }
        // Lines come per stream (stdout, stderr, DCP's own), each starting with its timestamp: put them in time order.
        return tail.Order(StringComparer.Ordinal).TakeLast(LogLinesShown).ToList();
    }
}
