using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VexaService.Contracts;

namespace VexaService.Data;

/// <summary>
/// Deployed (<c>Database:MigrateOnStart</c>), each service brings the schema up to date itself when it starts, instead
/// of a migrator that exits (Container Apps restarts a container that exits). Replicas that start together take a
/// PostgreSQL advisory lock in turn, so the migrations are applied once; the others then find nothing to do. Until it
/// is done, <c>/health</c> (readiness) is Unhealthy and every request but <c>/alive</c> and <c>/health</c> is answered
/// 503 with Retry-After; a database that cannot be reached yet is tried again every 5 s.
/// </summary>
public sealed class SchemaMigration(IServiceScopeFactory scopes, ILogger<SchemaMigration> logger) : BackgroundService, IHealthCheck
{
    public const string Setting = "Database:MigrateOnStart";

    // The two-key form, in its own class of keys (MeetingLock and the reconciler use others).
    private const int LockClass = 0x7665_7873; // "vexs"

    private volatile bool _ready;

    public bool IsReady => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
                await db.Database.OpenConnectionAsync(stoppingToken);
                try
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockClass}, 0)", stoppingToken);
                    await ApplyAsync(db, logger, stoppingToken);
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockClass}, 0)", CancellationToken.None);
                }
                finally
                {
                    await db.Database.CloseConnectionAsync(); // a lock still held goes with the session
                }
                _ready = true;
                logger.LogInformation("Database schema is current");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Database schema not ready yet ({Error}); retrying in 5 s", e.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Applies the pending migrations (the migrator's way too). EF Core reads its history table to learn what is
    /// applied, which on a new database fails and is logged as an error, twice; the table is created first with EF's
    /// own script, so that a first start logs no error.
    /// </summary>
    /// <returns>How many migrations were applied.</returns>
    public static async Task<int> ApplyAsync(VexaDbContext db, ILogger logger, CancellationToken ct)
    {
        var history = db.GetService<IHistoryRepository>();
        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} database migrations: {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(ct);
        }
        return pending.Count;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database schema is being brought up to date"));

    /// <summary>Answers 503 to everything but the health endpoints until the schema is current.</summary>
    internal sealed class Gate(SchemaMigration migration) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (migration.IsReady || context.Request.Path.StartsWithSegments("/alive") || context.Request.Path.StartsWithSegments("/health"))
                {
                    await nextMiddleware(context);
                    return;
                }
                context.Response.Headers.RetryAfter = "5";
                await TypedResults.Json(new ErrorBody("The service is starting: its database schema is being brought up to date. Retry shortly."),
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            });
            next(app);
        };
    }
}
