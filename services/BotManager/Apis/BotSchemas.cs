using System.ComponentModel;
using System.Text.Json.Nodes;

namespace VexaService.BotManager.Apis;

// The shapes of the bodies the bot endpoints read by hand and of the JSON they build, for the OpenAPI document.

[Description("Vexa's MeetingCreate (September 2025): platform + native_meeting_id, or a pasted meeting_url.")]
public sealed record BotCreate(
    [property: Description("google_meet, teams or zoom; required unless meeting_url is given")] string? Platform = null,
    [property: Description("The platform's meeting id (abc-defg-hij, a Teams numeric id, a Zoom id); required unless meeting_url is given")]
    string? NativeMeetingId = null,
    [property: Description("A Google Meet, Teams (incl. teams.live.com/meet/ID?p=PASSCODE) or Zoom (incl. ?pwd=) link")]
    string? MeetingUrl = null,
    [property: Description("The bot's display name")] string? BotName = null,
    [property: Description("Transcription language (Vexa's ACCEPTED_LANGUAGE_CODES); omitted: detected")] string? Language = null,
    [property: Description("transcribe or translate")] string? Task = null,
    [property: Description("Teams: 8-20 letters and digits; Zoom: 6-10 digits; refused for Google Meet")] string? Passcode = null);

[Description("A running bot's new language and/or task.")]
public sealed record BotConfigUpdate(string? Language = null, string? Task = null);

[Description("The caller's running bots.")]
public sealed record BotStatusList(IReadOnlyList<RunningBot> RunningBots);

public sealed record RunningBot(
    string? ContainerId,
    string? ContainerName,
    string Platform,
    string NativeMeetingId,
    [property: Description("The Wholesaler's status of the bot's container")] string? Status,
    DateTime? CreatedAt,
    JsonObject? Labels,
    [property: Description("Our meeting id")] long MeetingIdFromName);
