using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;

namespace VexaService.Wholesaler;

/// <summary>
/// For a Wholesaler behind an OAuth2 gateway: a client-credentials access token, cached (one instance per process)
/// and renewed shortly before it expires, one renewal at a time. Duende.AccessTokenManagement is not available to us, so this is the
/// small part of it we need, on Duende.IdentityModel.
/// </summary>
public sealed class WholesalerTokenSource(
    IHttpClientFactory httpClients, IOptions<WholesalerOptions> options, TimeProvider time)
{
    public const string TokenClientName = "wholesaler-token";
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt;

    public async Task<string> GetTokenAsync(CancellationToken ct)
    {
        if (_token is { } cached && time.GetUtcNow() < _renewAt)
        {
            return cached;
        }
        await _renewal.WaitAsync(ct);
        try
        {
            if (_token is { } renewed && time.GetUtcNow() < _renewAt)
            {
                return renewed;
            }
            var oauth = options.Value.OAuth2;
            using var client = httpClients.CreateClient(TokenClientName);
            var response = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = oauth.TokenEndpoint,
                ClientId = oauth.ClientId ?? "",
                ClientSecret = oauth.ClientSecret,
                Scope = oauth.Scope,
            }, ct);
            if (response.IsError || response.AccessToken is null)
            {
                throw new WholesalerUnavailableException(502,
                    "The meeting service could not be reached (authorization failed). Please retry later.");
            }
            _token = response.AccessToken;
            var lifetime = TimeSpan.FromSeconds(Math.Max(response.ExpiresIn, 1));
            _renewAt = time.GetUtcNow() + (lifetime > oauth.RenewBefore * 2 ? lifetime - oauth.RenewBefore : lifetime / 2);
            return _token;
        }
        finally
        {
            _renewal.Release();
        }
    }
}
