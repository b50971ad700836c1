using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The health report behind <c>/health</c>, computed at most once per <see cref="Lifetime"/> however often it is asked:
/// the gateway's <c>/health</c> is public and unauthenticated, and each report queries PostgreSQL and Redis.
/// Callers that arrive while a report is being computed wait for it instead of starting their own. The checks' own
/// queries are not traced: the probes' requests are not (see the ASP.NET Core filter), and their queries would otherwise
/// be root traces of their own, several a second, burying the requests a developer looks for.
/// </summary>
internal sealed class CachedHealth(HealthCheckService checks, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private HealthReport? _report;
    private DateTimeOffset _expires;

    public async Task<HealthStatus> StatusAsync(CancellationToken ct)
    {
        if (_report is { } fresh && time.GetUtcNow() < _expires)
        {
            return fresh.Status;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_report is null || time.GetUtcNow() >= _expires)
            {
                using (SuppressInstrumentationScope.Begin())
                {
                    _report = await checks.CheckHealthAsync(ct);
                }
                _expires = time.GetUtcNow() + Lifetime;
            }
            return _report.Status;
        }
        finally
        {
            _gate.Release();
        }
    }
}
