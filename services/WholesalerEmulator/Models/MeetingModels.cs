using System.Text.Json.Nodes;

namespace VexaService.WholesalerEmulator.Models;

/// <summary>Vexa's <c>MeetingResponse</c> (contract 9.3), also the completion webhook payload (section 8).
/// Datetimes are pre-formatted the way Python's <c>isoformat()</c> writes naive UTC values.</summary>
public sealed record MeetingResponse(
    long Id,
    long UserId,
    string Platform,
    string? NativeMeetingId,
    string? ConstructedMeetingUrl,
    string Status,
    string? BotContainerId,
    string? StartTime,
    string? EndTime,
    JsonObject Data,
    string? CreatedAt,
    string? UpdatedAt);

public sealed record MeetingListResponse(IReadOnlyList<MeetingResponse> Meetings);

/// <summary>Contract 4.6: a subset of the meeting fields plus the segments.</summary>
public sealed record TranscriptResponse(
    long Id,
    string Platform,
    string? NativeMeetingId,
    string? ConstructedMeetingUrl,
    string Status,
    string? StartTime,
    string? EndTime,
    IReadOnlyList<TranscriptSegment> Segments);

/// <summary>One segment; <c>start</c>/<c>end</c> are seconds relative to the bot session's start.</summary>
public sealed record TranscriptSegment(
    double Start,
    double End,
    string Text,
    string? Language,
    string? CreatedAt,
    string? Speaker,
    string AbsoluteStartTime,
    string AbsoluteEndTime);

/// <summary>Contract 4.4: one running bot container as Docker describes it.</summary>
public sealed record BotStatus(
    string? ContainerId,
    string? ContainerName,
    string? Platform,
    string? NativeMeetingId,
    string? Status,
    string? CreatedAt,
    IReadOnlyDictionary<string, string>? Labels,
    string? MeetingIdFromName);

public sealed record RunningBotsResponse(IReadOnlyList<BotStatus> RunningBots);

/// <summary>Contract 9.1.</summary>
public sealed record UserResponse(
    string Email,
    string? Name,
    string? ImageUrl,
    int MaxConcurrentBots,
    JsonObject? Data,
    long Id,
    string? CreatedAt);

public sealed record MessageResponse(string Message);

/// <summary>Vexa's status-change webhook since September 2025 (contract 15), sent for every change besides the completion webhook.</summary>
public sealed record StatusChangeEvent(string EventType, MeetingResponse Meeting, StatusChange StatusChange)
{
    public const string Type = "meeting.status_change";
}

public sealed record StatusChange(string From, string To, string? Reason, string Timestamp, string TransitionSource);
