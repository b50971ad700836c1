using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VexaService.Data;

namespace VexaService.Caching;

public static class RedisExtensions
{
    /// <summary>The connection name every service uses for Redis; the AppHost provides it.</summary>
    public const string ConnectionName = "cache";

    /// <summary>
    /// Redis is a cache and a counter store for us, never the source of truth: when it is down, calls must fail at
    /// once (callers fall back to PostgreSQL or allow the request) instead of queueing for seconds in a backlog.
    /// </summary>
    public static IHostApplicationBuilder AddVexaRedis(this IHostApplicationBuilder builder)
    {
        // Redis command spans are off unless Aspire:StackExchange:Redis:DisableTracing=false: the instrumentation
        // records every command (sampled or not) and holds it until a periodic drain, so each request's commands
        // outlived the youngest GC generation; at load that cost the gateway a third of its throughput and most of
        // its tail latency (bench/README.md).
        var tracingOff = builder.Configuration.GetValue("Aspire:StackExchange:Redis:DisableTracing", true);
        builder.AddRedisClient(ConnectionName, configureSettings: settings => settings.DisableTracing = tracingOff, configureOptions: options =>
        {
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = 2000;
            options.AsyncTimeout = 2000;
            options.SyncTimeout = 2000;
            // Reconnect every second once Redis is back (the default backoff left caches cold for many seconds).
            options.ReconnectRetryPolicy = new LinearRetry(1000);
            // Replies are handled on the .NET thread pool rather than the client's own ten dedicated threads: on a
            // small machine those threads' spinning and hand-offs cost more CPU (and longer GC suspensions) than the
            // Redis calls themselves.
            options.SocketManager = SocketManager.ThreadPool;
        });
        // Every caller has a way without Redis (PostgreSQL, or the limiter failing open), so Redis down is a service
        // running with reduced performance (Degraded, still 200 to probes), not one that cannot serve (Unhealthy).
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Name.StartsWith("StackExchange.Redis", StringComparison.Ordinal)))
            {
                check.FailureStatus = HealthStatus.Degraded;
            }
        });
        // Every service that writes meetings renews their owners' read generations (UserReads) after each commit.
        builder.Services.AddSingleton<UserReads>();
        builder.Services.AddSingleton<IMeetingOwnerObserver>(services => services.GetRequiredService<UserReads>());
        return builder;
    }

    /// <summary>
    /// One Redis call of a cache or counter: when Redis is down or too slow, say so and carry on without it
    /// (<c>default</c>), since every caller has a way that does not need the cache.
    /// </summary>
    public static async Task<T?> TryAsync<T>(this IConnectionMultiplexer redis, Func<IDatabase, Task<T>> call,
        ILogger logger, string failure)
    {
        try
        {
            return await call(redis.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("{Failure}: {Message}", failure, e.Message);
            return default;
        }
    }
}
