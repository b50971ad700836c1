using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace VexaService.Contracts;

/// <summary>Vexa's <c>Platform</c> enum and its meeting-URL rules (contract sections 3 and 12).</summary>
public static partial class Platforms
{
    public const string GoogleMeet = "google_meet";
    public const string Zoom = "zoom";
    public const string Teams = "teams";

    public static readonly string[] All = [GoogleMeet, Zoom, Teams];

    public const string EnumMessage = "value is not a valid enumeration member; permitted: 'google_meet', 'zoom', 'teams'";

    public static bool IsKnown(string? platform) => platform is GoogleMeet or Zoom or Teams;

    /// <summary>422 for an unknown <c>{platform}</c> path segment, in pydantic's shape as Vexa's gateway sends it.</summary>
    public static IResult InvalidPathPlatform() =>
        ValidationErrorBody.Single(["path", "platform"], EnumMessage, "type_error.enum");

    /// <summary>The meeting URL the bot would join, or null when the id cannot make one.</summary>
    public static string? ConstructMeetingUrl(string platform, string? nativeId)
    {
        if (nativeId is null)
        {
            return null;
        }
        switch (platform)
        {
            case GoogleMeet when GoogleMeetId().IsMatch(nativeId):
                return $"https://meet.google.com/{nativeId}";
            case Zoom:
                var zoom = ZoomId().Match(nativeId);
                return zoom.Success ? $"https://*.zoom.us/j/{zoom.Groups["digits"].Value}{zoom.Groups["pwd"].Value}" : null;
            case Teams when TeamsId().IsMatch(nativeId):
                return $"https://teams.live.com/meet/{nativeId}";
            default:
                return null;
        }
    }

    [GeneratedRegex("^[a-z]{3}-[a-z]{4}-[a-z]{3}$")]
    private static partial Regex GoogleMeetId();

    [GeneratedRegex(@"^(?<digits>\d{9,11})(?<pwd>\?pwd=.+)?$")]
    private static partial Regex ZoomId();

    [GeneratedRegex(@"^\d{10,15}$")]
    private static partial Regex TeamsId();
}
