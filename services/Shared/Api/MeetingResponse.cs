using System.Text.Json.Nodes;
using VexaService.Shared.Data;

namespace VexaService.Shared.Api;

/// <summary>Vexa's <c>MeetingResponse</c> (contract 9.3), with our own ids and our user's id.</summary>
public sealed record MeetingResponse(
    long Id,
    long UserId,
    string Platform,
    string? NativeMeetingId,
    string? ConstructedMeetingUrl,
    string Status,
    string? BotContainerId,
    DateTime? StartTime,
    DateTime? EndTime,
    JsonObject Data,
    DateTime? CreatedAt,
    DateTime? UpdatedAt)
{
    public static MeetingResponse From(Meeting m) => new(
        m.Id, m.UserId, m.Platform, m.NativeMeetingId,
        Platforms.Platforms.ConstructMeetingUrl(m.Platform, m.NativeMeetingId),
        m.Status, m.BotContainerId,
        m.StartTime, m.EndTime,
        JsonData.Parse(m.Data),
        m.CreatedAt, m.UpdatedAt);
}
