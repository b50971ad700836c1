using VexaService.Observability;

namespace VexaService.Wholesaler;

/// <summary>
/// Every attempt to call the Wholesaler (retries included) takes from the shared <see cref="WholesalerBudget"/>; an
/// attempt over budget is not made, and the caller gets a 503 with <c>Retry-After</c> (the resilience pipeline lets
/// this exception through: it is neither retried nor counted by the circuit breaker). A 429 from the Wholesaler holds
/// every replica back for its <c>Retry-After</c>, or 60 s if it gives none (<see cref="ThrottledFor"/>).
/// </summary>
public sealed class WholesalerBudgetHandler(WholesalerBudget budget, VexaMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = VexaMetrics.Route(request.Method, request.RequestUri?.AbsolutePath);
        if (await budget.TryTakeAsync() is { } wait)
        {
            metrics.WholesalerCall(route, "budget");
            throw new WholesalerUnavailableException(503, WholesalerUnavailableException.Busy, retryAfter: wait);
        }
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.WholesalerCall(route, "error"); // no answer: refused connection, reset, timeout
            throw;
        }
        metrics.WholesalerCall(route, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            await budget.ThrottledAsync(ThrottledFor(response));
        }
        return response;
    }

    /// <summary>How long a 429 asks us to wait: its <c>Retry-After</c>, or <see cref="GuardBackoff"/> when it gives none.</summary>
    public static TimeSpan ThrottledFor(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } retry && (retry.Delta ?? retry.Date - DateTimeOffset.UtcNow) is { } wait
            ? wait
            : GuardBackoff;

    /// <summary>
    /// A 429 without <c>Retry-After</c> comes from Vexa 0.12's per-address guard (600 requests a minute), not from its
    /// per-user limiter, which says <c>Retry-After: 1</c>; ten such refusals ban our address for an hour (contract
    /// 0.12 §6). So we wait out a whole window of the guard instead of trying again within a second.
    /// </summary>
    public static readonly TimeSpan GuardBackoff = TimeSpan.FromSeconds(60);
}
