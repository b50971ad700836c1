using System.Globalization;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>GET /transcripts (contract 4.6, plus the optional <c>meeting_id</c> query parameter of 2025-09-25).</summary>
public static class TranscriptsApi
{
    public static IEndpointRouteBuilder MapTranscriptsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/transcripts/{platform}/{nativeMeetingId}", GetTranscript)
            .WithTags("Transcripts")
            .WithName("GetTranscript")
            .WithSummary("The newest meeting's (or meeting_id's) transcript.")
            .RequireVexaApiKey(ApiKeyScheme.TranscriptionCollector);
        return app;
    }

    public static Results<FileContentHttpResult, NotFound<ErrorBody>, UnprocessableEntity<ValidationErrorBody>> GetTranscript(
        string platform, string nativeMeetingId, [AsParameters] TranscriptServices services)
    {
        long? meetingId = null;
        if (services.MeetingId is { } raw)
        {
            if (!long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                return TypedResults.UnprocessableEntity(PydanticErrors.Body(PydanticErrors.NotInteger("query", "meeting_id")));
            }
            meetingId = services.Faults.Current.IgnoreMeetingId ? null : parsed;
        }

        if (services.Store.Transcript(platform, nativeMeetingId, meetingId) is not { } transcript)
        {
            return TypedResults.NotFound(MeetingsApi.NotFound(platform, nativeMeetingId));
        }
        services.Stats.CountTranscript(transcript.MeetingId);
        return TypedResults.Bytes(transcript.Utf8Json, "application/json");
    }
}

public sealed record TranscriptServices(
    MeetingStore Store,
    RequestStats Stats,
    FaultState Faults,
    [FromQuery(Name = "meeting_id")] string? MeetingId);
