using Microsoft.Extensions.Options;

namespace VexaService.Wholesaler;

/// <summary>Puts the system key on every Wholesaler request, replacing anything else: an end user's key never leaves us.</summary>
public sealed class SystemKeyHandler(IOptions<WholesalerOptions> options) : DelegatingHandler
{
    public const string HeaderName = "X-API-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Remove(HeaderName);
        request.Headers.TryAddWithoutValidation(HeaderName, options.Value.ApiKey);
        return base.SendAsync(request, ct);
    }
}
