using System.Text.RegularExpressions;
using VexaService.Contracts;

namespace VexaService.BotManager.Services;

/// <summary>
/// Vexa's checks of <c>passcode</c>, <c>language</c> and <c>task</c> on <c>POST /bots</c> (<c>MeetingCreate</c>'s
/// validators, <c>libs/shared-models/shared_models/schemas.py</c> at Vexa 121f9b79), with its messages. Each returns
/// the message of a refusal, or null.
/// </summary>
public static partial class BotOptionsRules
{
    /// <summary><c>ACCEPTED_LANGUAGE_CODES</c>: faster-whisper's language codes.</summary>
    public static readonly IReadOnlySet<string> Languages = new HashSet<string>(StringComparer.Ordinal)
    {
        "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy",
        "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw",
        "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn",
        "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
        "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si",
        "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
        "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh", "yue",
    };

    /// <summary><c>ALLOWED_TASKS</c>: what WhisperLive does.</summary>
    public static readonly IReadOnlySet<string> Tasks = new HashSet<string>(StringComparer.Ordinal) { "transcribe", "translate" };

    public static string? Passcode(string platform, string? passcode) => string.IsNullOrEmpty(passcode) ? null : platform switch
    {
        Platforms.GoogleMeet => "Passcode is not supported for Google Meet meetings",
        Platforms.Teams when !TeamsPasscode().IsMatch(passcode) => "Teams passcode must be 8-20 alphanumeric characters",
        Platforms.Zoom when !ZoomPasscode().IsMatch(passcode) => "Zoom passcode must be 6-10 digits",
        _ => null,
    };

    public static string? Language(string? language) => string.IsNullOrEmpty(language) || Languages.Contains(language) ? null
        : $"Invalid language code '{language}'. Must be one of: {PythonList(Languages)}";

    public static string? Task(string? task) => string.IsNullOrEmpty(task) || Tasks.Contains(task) ? null
        : $"Invalid task '{task}'. Must be one of: {PythonList(Tasks)}";

    /// <summary>Python's <c>str(sorted(values))</c>, as Vexa's messages print the allow-lists.</summary>
    private static string PythonList(IEnumerable<string> values) =>
        "[" + string.Join(", ", values.Order(StringComparer.Ordinal).Select(v => $"'{v}'")) + "]";

    // Python's re.match anchors at the start only; "$" then also matches before a final newline, as here.
    [GeneratedRegex("^[A-Za-z0-9]{8,20}$")]
    private static partial Regex TeamsPasscode();

    [GeneratedRegex(@"^\d{6,10}$")]
    private static partial Regex ZoomPasscode();
}
