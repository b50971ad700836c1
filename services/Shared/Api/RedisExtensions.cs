using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace VexaService.Shared.Api;

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
        builder.AddRedisClient(ConnectionName, configureOptions: options =>
        {
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = 2000;
            options.AsyncTimeout = 2000;
            options.SyncTimeout = 2000;
            // Reconnect every second once Redis is back (the default backoff left caches cold for many seconds).
            options.ReconnectRetryPolicy = new LinearRetry(1000);
        });
        return builder;
    }
}
