using System.Net.Http.Headers;

namespace VexaService.Wholesaler;

/// <summary>Adds the OAuth2 bearer token (Wholesaler:AuthMode = OAuth2) beside the system key.</summary>
public sealed class BearerTokenHandler(WholesalerTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetTokenAsync(ct));
        return await base.SendAsync(request, ct);
    }
}
