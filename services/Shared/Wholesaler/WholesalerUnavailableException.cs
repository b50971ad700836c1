namespace VexaService.Shared.Wholesaler;

/// <summary>
/// The Wholesaler could not give an answer (down, slow, 5xx, circuit open). <see cref="Errors.ErrorShapeExtensions"/>
/// turns it into <see cref="Status"/> (502/503/504) with <see cref="Detail"/>, which never carries its internals.
/// </summary>
public sealed class WholesalerUnavailableException(int status, string detail, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(detail, inner)
{
    public int Status { get; } = status;
    public string Detail { get; } = detail;

    /// <summary>When to try again, if known (the Wholesaler's <c>Retry-After</c>, or our budget's next call); sent as <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public const string Busy = "The meeting service is busy right now. Please retry later.";
}
