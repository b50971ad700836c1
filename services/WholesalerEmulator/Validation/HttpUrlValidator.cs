using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>
/// pydantic v1.10 <c>HttpUrl</c>: length 1..2083, scheme http/https, a host, and a top-level domain unless the host is an
/// IP address (so <c>http://localhost:8000/x</c> and <c>http://receiver:8080/x</c> fail, <c>http://127.0.0.1:5000/x</c> passes).
/// </summary>
public static partial class HttpUrlValidator
{
    private const int MaxLength = 2083;

    public static ValidationError? Validate(string url, params object[] loc)
    {
        if (url.Length < 1)
        {
            return PydanticErrors.Error("ensure this value has at least 1 characters", "value_error.any_str.min_length",
                new JsonObject { ["limit_value"] = 1 }, loc);
        }
        if (url.Length > MaxLength)
        {
            return PydanticErrors.Error($"ensure this value has at most {MaxLength} characters", "value_error.any_str.max_length",
                new JsonObject { ["limit_value"] = MaxLength }, loc);
        }
        var match = UrlRegex().Match(url);
        if (!match.Groups["scheme"].Success)
        {
            return PydanticErrors.Error("invalid or missing URL scheme", "value_error.url.scheme", null, loc);
        }
        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return PydanticErrors.Error("URL scheme not permitted", "value_error.url.scheme",
                new JsonObject { ["allowed_schemes"] = new JsonArray("http", "https") }, loc);
        }
        if (match.Groups["port"].Success
            && (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535))
        {
            return PydanticErrors.Error("URL port invalid, port cannot exceed 65535", "value_error.url.port", null, loc);
        }
        if (match.Groups["ipv4"].Success || match.Groups["ipv6"].Success)
        {
            return null;
        }
        if (!match.Groups["domain"].Success)
        {
            return PydanticErrors.Error("URL host invalid", "value_error.url.host", null, loc);
        }
        var domain = match.Groups["domain"].Value;
        var ascii = AsciiDomainRegex().Match(domain);
        var international = InternationalDomainRegex().Match(domain);
        if (!ascii.Success && !international.Success)
        {
            return PydanticErrors.Error("URL host invalid", "value_error.url.host", null, loc);
        }
        var hasTld = (ascii.Success && ascii.Groups["tld"].Success) || (international.Success && international.Groups["tld"].Success);
        return hasTld
            ? null
            : PydanticErrors.Error("URL host invalid, top level domain required", "value_error.url.host", null, loc);
    }

    // pydantic.networks.url_regex, matched from the start only (re.match), case-insensitive.
    [GeneratedRegex(
        @"^(?:(?<scheme>[a-z][a-z0-9+\-.]+):)?(?://(?:(?<user>[^:@]*)(?::(?<password>[^@]*))?@)?" +
        @"(?:(?<ipv4>(?:\d{1,3}\.){3}\d{1,3})(?=$|[/:#?])|(?<ipv6>\[[A-F0-9]*:[A-F0-9:]+\])(?=$|[/:#?])|(?<domain>[^\s/:?#]+))?" +
        @"(?::(?<port>\d+))?)?(?<path>/[^\s?#]*)?(?<query>\?[^\s#]*)?(?<fragment>#\S*)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(
        @"^(?:[_0-9a-z](?:[-_0-9a-z]{0,61}[_0-9a-z])?\.)*?[_0-9a-z](?:[-_0-9a-z]{0,61}[_0-9a-z])?(?<tld>\.[a-z]{2,63})?\.?\z",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AsciiDomainRegex();

    [GeneratedRegex(
        @"^(?:[_0-9a-\uffff](?:[-_0-9a-\uffff]{0,61}[_0-9a-\uffff])?\.)*?[_0-9a-\uffff](?:[-_0-9a-\uffff]{0,61}[_0-9a-\uffff])?(?<tld>\.\p{L}{2,63}|\.xn--[_0-9a-z-]{2,63})?\.?\z",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InternationalDomainRegex();
}
