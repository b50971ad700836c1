using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace VexaService.AppHost;

/// <summary>
/// PostgreSQL and Redis for the app. The services only ever see the connection names "vexadb" and "cache",
/// so they do not care whether these are containers or local processes.
/// </summary>
internal static class DataStores
{
    public const string DatabaseName = "vexa";

    public static (IResourceBuilder<IResourceWithConnectionString> Db, IResourceBuilder<IResourceWithConnectionString> Cache)
        AddDataStores(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddDeployedStores();
        }
        if (!UseLocalProcesses(builder))
        {
            var postgres = builder.AddPostgres("postgres").WithDataVolume("vexa-postgres-data");
            var redis = builder.AddRedis("cache").WithDataVolume("vexa-redis-data").WithBoundedMemory();
            return (postgres.AddDatabase("vexadb", DatabaseName), redis);
        }
        return builder.AddLocalProcesses();
    }

    /// <summary>
    /// Publish mode (Azure Container Apps): PostgreSQL is a managed server the operator provisions (Azure Database for
    /// PostgreSQL flexible server), given as the secret parameter <c>vexadb</c> (a connection string), because a
    /// container's volume there is Azure Files, where initdb cannot chmod and the server crash-loops, and a paid service
    /// wants backups and HA anyway. <c>Deploy:Postgres=container</c> publishes a PostgreSQL container without a volume
    /// instead: for trials only, its data is lost with the container. Redis holds only caches and rate-limit counts:
    /// a container without a volume, bounded.
    /// </summary>
    private static (IResourceBuilder<IResourceWithConnectionString>, IResourceBuilder<IResourceWithConnectionString>)
        AddDeployedStores(this IDistributedApplicationBuilder builder)
    {
        var cache = builder.AddRedis("cache").WithBoundedMemory();
        if (string.Equals(builder.Configuration["Deploy:Postgres"], "container", StringComparison.OrdinalIgnoreCase))
        {
            return (builder.AddPostgres("postgres").AddDatabase("vexadb", DatabaseName), cache);
        }
        return (builder.AddConnectionString("vexadb"), cache);
    }

    /// <summary>Bounded like scripts/local-redis.sh: when full, least recently used keys (cold cached transcripts) go first.</summary>
    private static IResourceBuilder<RedisResource> WithBoundedMemory(this IResourceBuilder<RedisResource> redis) =>
        redis.WithArgs(context =>
        {
            // AddRedis starts the server as `/bin/sh -c "redis-server ..."`: the flags belong in that command line.
            for (var i = 0; i < context.Args.Count; i++)
            {
                if (context.Args[i] is string s && s.StartsWith("redis-server", StringComparison.Ordinal))
                {
                    context.Args[i] = $"{s} --maxmemory 256mb --maxmemory-policy allkeys-lru";
                }
            }
        });

    /// <summary>Local mode: processes started from scripts/local-*.sh, with data kept in a git-ignored folder.</summary>
    private static (IResourceBuilder<IResourceWithConnectionString>, IResourceBuilder<IResourceWithConnectionString>)
        AddLocalProcesses(this IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var repoRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var dataDir = Path.GetFullPath(config["LocalInfra:DataDirectory"] ?? Path.Combine(repoRoot, ".data"));
        var pgPort = config.GetValue("LocalInfra:PostgresPort", 5438);
        var redisPort = config.GetValue("LocalInfra:RedisPort", 6380);

        // Trust authentication on loopback only: a developer's throw-away cluster, never a deployment.
        var pgConnection = $"Host=127.0.0.1;Port={pgPort};Database={DatabaseName};Username=postgres";
        var redisConnection = $"127.0.0.1:{redisPort}";

        builder.Services.AddHealthChecks()
            .AddNpgSql(pgConnection, name: "postgres-local")
            .AddRedis(redisConnection, name: "redis-local");

        var postgres = builder.AddExecutable("postgres", "bash", repoRoot,
                "scripts/local-postgres.sh", Path.Combine(dataDir, "postgres"), pgPort.ToString())
            .WithHealthCheck("postgres-local")
            .AsLocalServer(pgPort);
        var redis = builder.AddExecutable("redis", "bash", repoRoot,
                "scripts/local-redis.sh", Path.Combine(dataDir, "redis"), redisPort.ToString())
            .WithHealthCheck("redis-local")
            .AsLocalServer(redisPort);

        var db = builder.AddConnectionString("vexadb", ReferenceExpression.Create($"{pgConnection}"))
            .WithParentRelationship(postgres);
        var cache = builder.AddConnectionString("cache", ReferenceExpression.Create($"{redisConnection}"))
            .WithParentRelationship(redis);

        LocalProcessWaits[db.Resource] = postgres;
        LocalProcessWaits[cache.Resource] = redis;
        return (db, cache);
    }

    // A connection-string resource has no process of its own: consumers wait for the process behind it.
    private static readonly Dictionary<IResource, IResourceBuilder<IResource>> LocalProcessWaits = [];

    /// <summary>
    /// References the database and cache, and starts only once both run and the schema is migrated: in run mode by the
    /// migrator, which the service waits for; deployed (no migrator: Container Apps restarts a container that exits),
    /// by the service itself at start, under a lock, before it answers anything but liveness
    /// (<c>Database:MigrateOnStart</c>, see VexaService.Data's SchemaMigration).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDataStores(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<IResourceWithConnectionString> db, IResourceBuilder<IResourceWithConnectionString> cache,
        IResourceBuilder<ProjectResource>? migrator)
    {
        service.WithReference(db).WithReference(cache).WaitForDataStore(db).WaitForDataStore(cache);
        return migrator is null ? service.WithEnvironment("Database__MigrateOnStart", "true") : service.WaitForCompletion(migrator);
    }

    public static IResourceBuilder<ProjectResource> WaitForDataStore(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<IResourceWithConnectionString> store) =>
        service.WaitFor(LocalProcessWaits.TryGetValue(store.Resource, out var process) ? process : store);

    /// <summary>
    /// Containers in publish mode and wherever a container runtime answers; local processes otherwise.
    /// <c>LocalInfra:Mode</c> (auto | processes | containers) overrides the detection.
    /// </summary>
    private static bool UseLocalProcesses(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return false;
        }
        return builder.Configuration["LocalInfra:Mode"]?.ToLowerInvariant() switch
        {
            "processes" => true,
            "containers" => false,
            _ => !ContainerRuntimeAnswers(),
        };
    }

    private static bool ContainerRuntimeAnswers()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null)
            {
                return false;
            }
            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return false;
            }
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker client at all
        }
    }
}
