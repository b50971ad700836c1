using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace VexaService.Data;

public static class DataExtensions
{
    /// <summary>The database connection name every service uses; the AppHost provides it.</summary>
    public const string ConnectionName = "vexadb";

    /// <summary>
    /// Retries ride out a blip (a failover, a restart's first second) but must not hold a request: Aspire's default
    /// (6 retries with delays up to 30 s) kept clients waiting past any sensible timeout while PostgreSQL was down.
    /// </summary>
    private const int MaxRetries = 2;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);
    private const int ConnectTimeoutSeconds = 5;

    public static IHostApplicationBuilder AddVexaData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<VexaDbContext>(ConnectionName,
            configureSettings: settings =>
            {
                settings.DisableRetry = true; // replaced by the bounded strategy below
                if (settings.ConnectionString is { } connectionString)
                {
                    settings.ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = ConnectTimeoutSeconds }.ConnectionString;
                }
            },
            configureDbContextOptions: options => options
                .UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(MaxRetries, MaxRetryDelay, errorCodesToAdd: null))
                .UseSnakeCaseNamingConvention()
                .AddInterceptors(MeetingEventOutbox.Instance, MeetingOwnerChanges.Instance));
        builder.Services.AddScoped<MeetingStatusWriter>();
        builder.Services.AddScoped<SegmentStore>();
        if (builder.Configuration.GetValue(SchemaMigration.Setting, false))
        {
            builder.Services.AddSingleton<SchemaMigration>();
            builder.Services.AddHostedService(services => services.GetRequiredService<SchemaMigration>());
            builder.Services.AddHealthChecks().AddCheck<SchemaMigration>("schema");
            builder.Services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, SchemaMigration.Gate>();
        }
        return builder;
    }
}
