using System.ComponentModel;

namespace VexaService.Transcripts.Apis;

// The shapes of the bodies the meeting endpoints read by hand and of the transcript JSON, for the OpenAPI document.

[Description("Keys merged into the newest meeting's data; other keys of data are kept.")]
public sealed record MeetingDataUpdate(MeetingDataFields Data);

public sealed record MeetingDataFields(
    string? Name = null, IReadOnlyList<string>? Participants = null, IReadOnlyList<string>? Languages = null, string? Notes = null);

[Description("Vexa's TranscriptionResponse: the meeting (our ids) and its segments; fields a newer Wholesaler adds to a segment are passed on.")]
public sealed record TranscriptResponse(
    long Id,
    string Platform,
    string NativeMeetingId,
    string? ConstructedMeetingUrl,
    string Status,
    DateTime? StartTime,
    DateTime? EndTime,
    IReadOnlyList<TranscriptSegment> Segments);

public sealed record TranscriptSegment(
    [property: Description("Seconds from the start of the meeting")] double Start,
    double End,
    string Text,
    string? Language,
    string? Speaker,
    DateTime? CreatedAt,
    [property: Description("Wall-clock start, when the Wholesaler gives it")] DateTime? AbsoluteStartTime,
    DateTime? AbsoluteEndTime);
