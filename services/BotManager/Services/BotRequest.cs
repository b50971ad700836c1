using System.Text.Json.Nodes;
using VexaService.Shared.Errors;
using VexaService.Shared.Json;
using VexaService.Shared.Platforms;

namespace VexaService.BotManager.Services;

/// <summary>The body of <c>POST /bots</c> (Vexa's <c>MeetingCreate</c>), checked; unknown fields are ignored as Vexa does.</summary>
public sealed record BotRequest(string Platform, string NativeMeetingId, string? BotName, string? Language, string? Task)
{
    public const string InvalidMeetingId = "Invalid platform/native_meeting_id combination: cannot construct meeting URL";

    public static (BotRequest? Request, IResult? Error) Read(JsonObject body)
    {
        var reader = new FieldReader(body);
        var platform = reader.String("platform", required: true, maxLength: 32);
        var nativeId = reader.String("native_meeting_id", required: true, maxLength: 255);
        var botName = reader.String("bot_name", maxLength: 100);
        var language = reader.String("language", maxLength: 16);
        var task = reader.String("task", maxLength: 32);
        if (platform is not null && !Platforms.IsKnown(platform))
        {
            reader.Fail("platform", Platforms.EnumMessage, "type_error.enum");
        }
        if (!reader.IsValid)
        {
            return (null, reader.Error());
        }
        if (Platforms.ConstructMeetingUrl(platform!, nativeId) is null)
        {
            return (null, TypedResults.UnprocessableEntity(new ErrorBody(InvalidMeetingId)));
        }
        return (new BotRequest(platform!, nativeId!, botName, language, task), null);
    }

    /// <summary>What we send to the Wholesaler: the same fields, nothing of the end user's identity.</summary>
    public JsonObject ToWholesalerBody()
    {
        var body = new JsonObject { ["platform"] = Platform, ["native_meeting_id"] = NativeMeetingId };
        if (BotName is not null) body["bot_name"] = BotName;
        if (Language is not null) body["language"] = Language;
        if (Task is not null) body["task"] = Task;
        return body;
    }
}
