using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Observability;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Budgets per client address, checked before authentication and kept in this replica's memory, since a flood must
/// cost neither Redis nor PostgreSQL: key lookups that reach PostgreSQL, and failed admin keys. The address is the
/// connection's, or <c>X-Forwarded-For</c>'s when the connection comes from a configured proxy (ForwardedHeaders).
/// </summary>
public sealed class ClientLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _lookups;
    private readonly PartitionedRateLimiter<string>? _adminFailures;

    public ClientLimits(IOptions<RateLimitOptions> options)
    {
        var o = options.Value;
        if (o.ClientLookupsPerSecond > 0)
        {
            _lookups = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(o.ClientLookupBurst, 1),
                    TokensPerPeriod = o.ClientLookupsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
        }
        if (o.ClientAdminFailuresPerMinute > 0)
        {
            _adminFailures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = o.ClientAdminFailuresPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        }
    }

    /// <summary>Takes one PostgreSQL lookup from the client's budget: null when allowed, else how long to wait.</summary>
    public TimeSpan? TakeLookup(HttpContext context) => Take(_lookups, context, 1);

    /// <summary>Whether the client has failed admin keys left (taking none): null when it has.</summary>
    public TimeSpan? CheckAdmin(HttpContext context) => Take(_adminFailures, context, 0);

    public void RecordAdminFailure(HttpContext context) => Take(_adminFailures, context, 1);

    public static Task RefuseAsync(HttpContext context, TimeSpan wait)
    {
        context.RequestServices.GetService<VexaMetrics>()?.RateLimited("client");
        var seconds = RetryAfter.Set(context.Response, wait);
        return TypedResults.Json(new ErrorBody($"Too many requests from this client. Retry after {seconds} seconds."),
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }

    private static TimeSpan? Take(PartitionedRateLimiter<string>? limiter, HttpContext context, int permits)
    {
        if (limiter is null)
        {
            return null;
        }
        using var lease = limiter.AttemptAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", permits);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    public void Dispose()
    {
        _lookups?.Dispose();
        _adminFailures?.Dispose();
    }
}
