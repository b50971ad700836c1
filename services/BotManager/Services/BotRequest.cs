using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Http;

namespace VexaService.BotManager.Services;

/// <summary>
/// The body of <c>POST /bots</c> (Vexa's <c>MeetingCreate</c> as of September 2025), checked; unknown fields are
/// ignored as Vexa does. The meeting is named by <c>platform</c> + <c>native_meeting_id</c> or by a pasted
/// <c>meeting_url</c> (<see cref="MeetingLink"/>), whose passcode is used unless <c>passcode</c> is given.
/// </summary>
public sealed record BotRequest(string Platform, string NativeMeetingId, string? BotName, string? Language, string? Task, string? Passcode)
{
    public const string InvalidMeetingId = "Invalid platform/native_meeting_id combination: cannot construct meeting URL";

    public static (BotRequest? Request, IResult? Error) Read(JsonObject body)
    {
        var reader = new FieldReader(body);
        var link = reader.String("meeting_url", maxLength: 2048);
        var platform = reader.String("platform", required: link is null, maxLength: 32);
        var nativeId = reader.String("native_meeting_id", required: link is null, maxLength: 255);
        var botName = reader.String("bot_name", maxLength: 100);
        var language = reader.String("language", maxLength: 16);
        var task = reader.String("task", maxLength: 32);
        var passcode = reader.String("passcode", maxLength: 64);
        if (platform is not null && !Platforms.IsKnown(platform))
        {
            reader.Fail("platform", Platforms.EnumMessage, "type_error.enum");
        }
        if (link is not null && reader.IsValid)
        {
            var (meeting, problem) = MeetingLink.Parse(link);
            if (meeting is not { } parsed)
            {
                reader.Fail("meeting_url", problem!, "value_error");
            }
            else if ((platform ?? parsed.Platform) != parsed.Platform || (nativeId ?? parsed.NativeId) != parsed.NativeId)
            {
                reader.Fail("meeting_url", $"meeting_url names {parsed.Platform} meeting '{parsed.NativeId}', not the platform and " +
                    "native_meeting_id given: give one or the other", "value_error");
            }
            else
            {
                (platform, nativeId, passcode) = (parsed.Platform, parsed.NativeId, passcode ?? parsed.Passcode);
            }
        }
        if (platform is not null && reader.IsValid && BotOptionsRules.Passcode(platform, passcode) is { } passcodeProblem)
        {
            reader.Fail("passcode", passcodeProblem, "value_error");
        }
        if (BotOptionsRules.Language(language) is { } languageProblem)
        {
            reader.Fail("language", languageProblem, "value_error");
        }
        if (BotOptionsRules.Task(task) is { } taskProblem)
        {
            reader.Fail("task", taskProblem, "value_error");
        }
        if (!reader.IsValid)
        {
            return (null, reader.Error());
        }
        if (Platforms.ConstructMeetingUrl(platform!, nativeId) is null)
        {
            return (null, TypedResults.UnprocessableEntity(new ErrorBody(InvalidMeetingId)));
        }
        return (new BotRequest(platform!, nativeId!, botName, language, task, string.IsNullOrEmpty(passcode) ? null : passcode), null);
    }

    /// <summary>What we send to the Wholesaler: the same fields, nothing of the end user's identity.</summary>
    public JsonObject ToWholesalerBody()
    {
        var body = new JsonObject { ["platform"] = Platform, ["native_meeting_id"] = NativeMeetingId };
        if (BotName is not null) body["bot_name"] = BotName;
        if (Language is not null) body["language"] = Language;
        if (Task is not null) body["task"] = Task;
        if (Passcode is not null) body["passcode"] = Passcode;
        return body;
    }
}
