using System.Net;

namespace VexaService.AdminApi.Services;

/// <summary>
/// pydantic v1 <c>HttpUrl</c> rules, as Vexa applies them to <c>webhook_url</c>: http or https, at most 2083
/// characters, and a host that is an IP address or has a top-level domain (so <c>localhost</c> is refused).
/// </summary>
public static class WebhookUrl
{
    public const int MaxLength = 2083;

    public static string? Problem(string value)
    {
        if (value.Length > MaxLength)
        {
            return $"ensure this value has at most {MaxLength} characters";
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "invalid or missing URL scheme";
        }
        var host = uri.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out _))
        {
            return null;
        }
        var dot = host.LastIndexOf('.');
        return dot <= 0 || dot == host.Length - 1 || !host[(dot + 1)..].All(char.IsLetter)
            ? "URL host invalid, top level domain required"
            : null;
    }
}
