using System.Text.Json.Nodes;

namespace VexaService.Contracts;

/// <summary>Vexa's <c>MeetingResponse</c> (contract 9.3), with our own ids and our user's id.</summary>
public sealed record MeetingResponse(
    long Id,
    long UserId,
    string Platform,
    string? NativeMeetingId,
    string? ConstructedMeetingUrl,
    [property: System.ComponentModel.Description("requested, joining, awaiting_admission, active, needs_help (current Vexa: the bot is stuck until a person acts; live), stopping, then completed or failed. Unknown statuses are live.")]
    string Status,
    string? BotContainerId,
    DateTime? StartTime,
    DateTime? EndTime,
    JsonObject Data,
    DateTime? CreatedAt,
    DateTime? UpdatedAt);
