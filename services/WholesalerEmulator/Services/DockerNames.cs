using System.Globalization;
using System.Security.Cryptography;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>What Docker would report for a bot container: a 64-hex id, <c>vexa-bot-&lt;meeting id&gt;-&lt;8 hex&gt;</c>, "Up 3 seconds".</summary>
public static class DockerNames
{
    public static string NewContainerId() => RandomNumberGenerator.GetHexString(64, lowercase: true);

    public static string ContainerName(long meetingId) =>
        $"vexa-bot-{meetingId.ToString(CultureInfo.InvariantCulture)}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    /// <summary>Docker's <c>Status</c> text: "Up " + go-units <c>HumanDuration</c>.</summary>
    public static string UpStatus(TimeSpan uptime) => "Up " + HumanDuration(uptime);

    private static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds == 1)
        {
            return "1 second";
        }
        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }
        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }
        var hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        return hours switch
        {
            1 => "About an hour",
            < 48 => $"{hours} hours",
            < 24 * 7 * 2 => $"{hours / 24} days",
            < 24 * 30 * 2 => $"{hours / 24 / 7} weeks",
            < 24 * 365 * 2 => $"{hours / 24 / 30} months",
            _ => $"{hours / 24 / 365} years",
        };
    }
}
