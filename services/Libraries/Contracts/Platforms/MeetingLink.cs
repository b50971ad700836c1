using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace VexaService.Contracts;

/// <summary>
/// A meeting link as users paste it, read as Vexa's platform, native id and passcode:
/// <c>https://meet.google.com/abc-defg-hij</c>; <c>https://teams.live.com/meet/1234567890?p=Passcode1</c>;
/// <c>https://us05web.zoom.us/j/12345678901?pwd=…</c> (the pwd stays in the native id, Vexa's own form for Zoom).
/// </summary>
public static partial class MeetingLink
{
    public const string Expected =
        "expected a link like https://meet.google.com/abc-defg-hij, https://teams.live.com/meet/<10-15 digits>?p=<passcode> " +
        "or https://<host>.zoom.us/j/<9-11 digits>?pwd=<pwd>";

    public readonly record struct Parsed(string Platform, string NativeId, string? Passcode);

    /// <returns>The meeting it names, or the reason it names none.</returns>
    public static (Parsed? Meeting, string? Problem) Parse(string link)
    {
        if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return (null, $"meeting_url is not an http(s) link: {Expected}");
        }
        var host = uri.Host.ToLowerInvariant();
        var path = uri.AbsolutePath.TrimEnd('/');
        var query = QueryHelpers.ParseQuery(uri.Query);
        if (host == "meet.google.com")
        {
            var code = path.TrimStart('/').ToLowerInvariant();
            return Platforms.ConstructMeetingUrl(Platforms.GoogleMeet, code) is not null
                ? (new Parsed(Platforms.GoogleMeet, code, null), null)
                : (null, $"a Google Meet link ends in the meeting code abc-defg-hij; '{path.TrimStart('/')}' is not one");
        }
        if (host == "teams.live.com")
        {
            var match = TeamsPath().Match(path);
            return match.Success
                ? (new Parsed(Platforms.Teams, match.Groups["id"].Value, First(query, "p")), null)
                : (null, "a Teams link is https://teams.live.com/meet/<10-15 digits>, optionally with ?p=<passcode>");
        }
        if (host == "teams.microsoft.com")
        {
            return (null, "Teams links of teams.microsoft.com (meetup-join) are not supported: use the meeting ID and passcode " +
                "of the invitation, or its https://teams.live.com/meet/ link");
        }
        if (host == "zoom.us" || host.EndsWith(".zoom.us", StringComparison.Ordinal))
        {
            var match = ZoomPath().Match(path);
            if (!match.Success)
            {
                return (null, "a Zoom link is https://<host>.zoom.us/j/<9-11 digits>, optionally with ?pwd=<pwd>");
            }
            var pwd = First(query, "pwd");
            return (new Parsed(Platforms.Zoom, match.Groups["id"].Value + (string.IsNullOrEmpty(pwd) ? "" : "?pwd=" + pwd), null), null);
        }
        return (null, $"'{uri.Host}' is not a Google Meet, Teams or Zoom host: {Expected}");
    }

    private static string? First(Dictionary<string, StringValues> query, string name) =>
        query.TryGetValue(name, out var values) ? values[0] : null;

    [GeneratedRegex(@"^/meet/(?<id>\d{10,15})$")]
    private static partial Regex TeamsPath();

    [GeneratedRegex(@"^/(?:j|w|s|wc/join)/(?<id>\d{9,11})$")]
    private static partial Regex ZoomPath();
}
