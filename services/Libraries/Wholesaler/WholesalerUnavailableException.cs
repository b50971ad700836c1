using VexaService.Http;

namespace VexaService.Wholesaler;

/// <summary>
/// The Wholesaler could not give an answer (down, slow, 5xx, circuit open); <see cref="RetryAfter"/> is the
/// Wholesaler's <c>Retry-After</c> or our budget's next call.
/// </summary>
public sealed class WholesalerUnavailableException(int status, string detail, Exception? inner = null, TimeSpan? retryAfter = null)
    : UpstreamUnavailableException(status, detail, inner, retryAfter)
{
    public const string Busy = "The meeting service is busy right now. Please retry later.";
}
