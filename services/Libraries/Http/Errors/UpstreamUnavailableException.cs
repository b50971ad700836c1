namespace VexaService.Http;

/// <summary>
/// A service we depend on could not give an answer (down, slow, 5xx, circuit open). <see cref="ErrorShapeExtensions"/>
/// turns it into <see cref="Status"/> (502/503/504) with <see cref="Detail"/>, which never carries its internals.
/// </summary>
public class UpstreamUnavailableException(int status, string detail, Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(detail, inner)
{
    public int Status { get; } = status;
    public string Detail { get; } = detail;

    /// <summary>When to try again, if known; sent as <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
