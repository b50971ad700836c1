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
        app.MapGet("/transcripts/by-id/{meetingId}", GetTranscriptById)
            .WithTags("Transcripts")
            .WithName("GetTranscriptById")
            .WithSummary("0.12: exactly this meeting's transcript.")
            .RequireVexaApiKey(ApiKeyScheme.TranscriptionCollector);
        return app;
    }

    /// <summary>0.12's exact read; 1.5 has no such route, so <c>by-id</c> fails its platform check (422), as on
    /// <c>/transcripts/{platform}/...</c> — the route order makes the literal segment win, so say it here.</summary>
    public static IResult GetTranscriptById(string meetingId, MeetingStore store, RequestStats stats, EmulatorBehaviour behaviour)
    {
        if (!behaviour.Current.Generation.HasTranscriptById)
        {
            return PydanticErrors.Result(PydanticErrors.NotPlatform("path", "platform"));
        }
        if (!long.TryParse(meetingId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return PydanticErrors.Result(PydanticErrors.NotInteger("path", "meeting_id"));
        }
        if (store.Transcript(null, null, id) is not { } transcript)
        {
            return TypedResults.NotFound(new ErrorBody($"Meeting {id} not found"));
        }
        stats.CountTranscript(transcript.MeetingId);
        return TypedResults.Bytes(transcript.Utf8Json, "application/json");
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
            meetingId = services.Faults.Current.IgnoreMeetingId || !services.Behaviour.Current.Generation.HonoursMeetingIdQuery ? null : parsed;
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
    EmulatorBehaviour Behaviour,
    [FromQuery(Name = "meeting_id")] string? MeetingId);
