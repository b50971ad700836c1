using System.Text.RegularExpressions;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>Vexa's <c>Platform</c> enum and <c>construct_meeting_url</c> (contract section 3).</summary>
public static partial class Platforms
{
    public const string GoogleMeet = "google_meet";
    public const string Zoom = "zoom";
    public const string Teams = "teams";

    public static readonly IReadOnlyList<string> All = [GoogleMeet, Zoom, Teams];

    public const string EnumMessage = "value is not a valid enumeration member; permitted: 'google_meet', 'zoom', 'teams'";

    public static bool IsValid(string? platform) => platform is GoogleMeet or Zoom or Teams;

    public static string? ConstructMeetingUrl(string platform, string? nativeMeetingId)
    {
        if (nativeMeetingId is null)
        {
            return null;
        }
        switch (platform)
        {
            case GoogleMeet when GoogleMeetId().IsMatch(nativeMeetingId):
                return $"https://meet.google.com/{nativeMeetingId}";
            case Zoom when ZoomId().Match(nativeMeetingId) is { Success: true } zoom:
                return zoom.Groups["pwd"].Success
                    ? $"https://*.zoom.us/j/{zoom.Groups["digits"].Value}?pwd={zoom.Groups["pwd"].Value}"
                    : $"https://*.zoom.us/j/{zoom.Groups["digits"].Value}";
            default:
                return null;
        }
    }

    /// <summary>At dfc7c83e only the Google Meet bot is implemented, and only with a URL; every other bot leaves at once.
    /// The emulator plays the Teams bot for the Vexa whose Teams frames differ (0.12's speaker snapshots).</summary>
    public static bool BotCanJoin(string platform, string nativeMeetingId, bool joinsTeams = false) =>
        (platform == GoogleMeet && ConstructMeetingUrl(platform, nativeMeetingId) is not null) || (joinsTeams && platform == Teams);

    [GeneratedRegex(@"^[a-z]{3}-[a-z]{4}-[a-z]{3}\z", RegexOptions.CultureInvariant)]
    private static partial Regex GoogleMeetId();

    [GeneratedRegex(@"^(?<digits>[0-9]{9,11})(?:\?pwd=(?<pwd>.+))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ZoomId();
}
