using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>Vexa's <c>MeetingCreate</c>; unknown fields are ignored. <c>passcode</c> exists from September 2025 on.</summary>
public sealed record MeetingCreate(string Platform, string NativeMeetingId, string? BotName, string? Language, string? Task, string? Passcode = null,
    string? MeetingUrl = null)
{
    public static bool TryRead(JsonBody body, out MeetingCreate request, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        request = null!;
        if (reader.TryRoot(body, out var root))
        {
            var platform = reader.Platform(root, "platform", "body", "platform");
            var nativeId = reader.Str(root, "native_meeting_id", required: true, "body", "native_meeting_id");
            var botName = reader.Str(root, "bot_name", required: false, "body", "bot_name");
            var language = reader.Str(root, "language", required: false, "body", "language");
            var task = reader.Str(root, "task", required: false, "body", "task");
            var passcode = reader.Str(root, "passcode", required: false, "body", "passcode");
            var meetingUrl = reader.Str(root, "meeting_url", required: false, "body", "meeting_url");
            if (!reader.HasErrors)
            {
                request = new MeetingCreate(platform!, nativeId!, botName, language, task, passcode, meetingUrl);
            }
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }
}

/// <summary>Vexa's <c>MeetingUpdate</c> / <c>MeetingDataUpdate</c>: only the allowed, non-null keys of <c>data</c>.</summary>
public sealed record MeetingDataUpdate(string? Name, List<string>? Participants, List<string>? Languages, string? Notes)
{
    public bool IsEmpty => Name is null && Participants is null && Languages is null && Notes is null;

    public static bool TryRead(JsonBody body, out MeetingDataUpdate update, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        update = null!;
        if (reader.TryRoot(body, out var root) && reader.TryObject(root, "data", out var data, "body", "data"))
        {
            var name = reader.Str(data, "name", required: false, "body", "data", "name");
            var participants = reader.StrList(data, "participants", "body", "data", "participants");
            var languages = reader.StrList(data, "languages", "body", "data", "languages");
            var notes = reader.Str(data, "notes", required: false, "body", "data", "notes");
            if (!reader.HasErrors)
            {
                update = new MeetingDataUpdate(name, participants, languages, notes);
            }
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }
}

/// <summary>Vexa's <c>MeetingConfigUpdate</c>: both optional, not validated, <c>{}</c> accepted.</summary>
public sealed record BotConfigUpdate(string? Language, string? Task)
{
    public static bool TryRead(JsonBody body, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        if (reader.TryRoot(body, out var root))
        {
            reader.Str(root, "language", required: false, "body", "language");
            reader.Str(root, "task", required: false, "body", "task");
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }
}

/// <summary>admin-api's <c>UserWebhookUpdate</c>: <c>webhook_url</c> is a pydantic v1 <c>HttpUrl</c>.</summary>
public static class WebhookUpdate
{
    public static bool TryRead(JsonBody body, out string url, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        url = "";
        if (reader.TryRoot(body, out var root)
            && reader.Str(root, "webhook_url", required: true, "body", "webhook_url") is { } raw)
        {
            url = raw.Trim();
            if (HttpUrlValidator.Validate(url, "body", "webhook_url") is { } error)
            {
                reader.Add(error);
            }
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }

    /// <summary>0.12's <c>PUT /user/webhook</c>: <c>webhook_url</c> any string, <c>webhook_secret</c>, <c>webhook_events</c> {type: bool}.</summary>
    public static bool TryReadV1(JsonBody body, out WebhookSettingsUpdate settings, out ValidationErrorBody errors)
    {
        var reader = new BodyReader();
        settings = null!;
        if (reader.TryRoot(body, out var root)
            && reader.Str(root, "webhook_url", required: true, "body", "webhook_url") is { } url)
        {
            var secret = reader.Str(root, "webhook_secret", required: false, "body", "webhook_secret");
            Dictionary<string, bool>? events = null;
            if (root.TryGetProperty("webhook_events", out var map) && map.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                events = [];
                foreach (var item in map.EnumerateObject())
                {
                    events[item.Name] = item.Value.ValueKind == System.Text.Json.JsonValueKind.True;
                }
            }
            settings = new WebhookSettingsUpdate(url, secret, events);
        }
        errors = reader.Errors;
        return !reader.HasErrors;
    }
}

public sealed record WebhookSettingsUpdate(string Url, string? Secret, Dictionary<string, bool>? Events);
