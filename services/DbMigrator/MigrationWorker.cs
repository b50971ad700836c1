using System.Diagnostics;
using VexaService.Data;

namespace VexaService.DbMigrator;

internal sealed class MigrationWorker(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<MigrationWorker> logger)
    : BackgroundService
{
    public const string ActivitySourceName = "VexaService.DbMigrator";
    private static readonly ActivitySource Activity = new(ActivitySourceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = Activity.StartActivity("Migrating database", ActivityKind.Client);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            // Npgsql's execution strategy retries transient failures (a server still starting up).
            var applied = await SchemaMigration.ApplyAsync(db, logger, stoppingToken);
            logger.LogInformation("Database is at the latest schema ({Count} migrations applied now)", applied);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity?.AddException(e);
            logger.LogCritical(e, "Database migration failed");
            Environment.ExitCode = 1;
        }
        lifetime.StopApplication();
    }
}
