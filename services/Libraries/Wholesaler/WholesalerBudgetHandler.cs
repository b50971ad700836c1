using VexaService.Observability;

namespace VexaService.Wholesaler;

/// <summary>
/// Every attempt to call the Wholesaler (retries included) takes from the shared <see cref="WholesalerBudget"/>; an
/// attempt over budget is not made, and the caller gets a 503 with <c>Retry-After</c> (the resilience pipeline lets
/// this exception through: it is neither retried nor counted by the circuit breaker). A 429 from the Wholesaler holds
/// every replica back for its <c>Retry-After</c>, or 60 s if it gives none (<see cref="ThrottledFor"/>).
/// </summary>
public sealed class WholesalerBudgetHandler(WholesalerBudget budget, Generations.CurrentGeneration generation, VexaMetrics metrics)
    : DelegatingHandler
{
    /// <summary>What the call is for (set by <see cref="WholesalerClient"/>): a 429 may be a refusal of it, not a rate limit.</summary>
    public static readonly HttpRequestOptionsKey<Generations.WholesalerOperation> Operation = new("vexa.wholesaler.operation");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = VexaMetrics.Route(request.Method, request.RequestUri?.AbsolutePath);
        var known = generation.Known;
        var tag = known?.Name ?? "unknown";
        if (await budget.TryTakeAsync() is { } wait)
        {
            metrics.WholesalerCall(route, "budget", tag);
            throw new WholesalerUnavailableException(503, WholesalerUnavailableException.Busy, retryAfter: wait);
        }
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.WholesalerCall(route, "error", tag); // no answer: refused connection, reset, timeout
            throw;
        }
        metrics.WholesalerCall(route, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), tag);
        if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests && !await IsRefusalAsync(request, response, known, cancellationToken))
        {
            await budget.ThrottledAsync(ThrottledFor(response));
        }
        else if (RemainingPause(response) is { } pause)
        {
            await budget.ThrottledAsync(pause);
        }
        return response;
    }

    /// <summary>Vexa 0.12 answers its bot cap with 429 too: a refusal of that start, not a reason for everyone to wait.</summary>
    private static async Task<bool> IsRefusalAsync(HttpRequestMessage request, HttpResponseMessage response,
        Generations.WholesalerGeneration? known, CancellationToken ct) =>
        known is not null && request.Options.TryGetValue(Operation, out var operation)
        && known.IsRefusal429(operation, await WholesalerResponse.DetailOfAsync(response, ct));

    /// <summary>
    /// The hosted API says how many calls its window has left (<c>X-RateLimit-Remaining</c>): at 0, every replica pauses
    /// for one call's share of the window (<c>60 s / X-RateLimit-Limit</c>) instead of meeting a 429.
    /// </summary>
    public static TimeSpan? RemainingPause(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("X-RateLimit-Remaining", out var remaining)
            || !int.TryParse(remaining.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var left) || left > 0)
        {
            return null;
        }
        return response.Headers.TryGetValues("X-RateLimit-Limit", out var limit)
            && int.TryParse(limit.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var perMinute) && perMinute > 0
            ? TimeSpan.FromSeconds(60.0 / perMinute)
            : TimeSpan.FromSeconds(1);
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
