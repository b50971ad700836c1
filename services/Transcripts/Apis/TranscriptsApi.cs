using System.Globalization;
using Microsoft.OpenApi;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
using VexaService.Http.Caching;
using VexaService.Transcripts.Services;

namespace VexaService.Transcripts.Apis;

/// <summary><c>GET /transcripts/{platform}/{native_meeting_id}</c> (contract 4.6), with <c>?meeting_id=</c> (our id).</summary>
public static class TranscriptsApi
{
    public static IEndpointRouteBuilder MapTranscriptsApi(this IEndpointRouteBuilder app)
    {
        var transcripts = app.MapGroup("/transcripts").WithTags("Transcripts").RequireCaller("Invalid API token").RequireKnownPlatform();
        transcripts.MapGet("/by-id/{meeting_id}", GetTranscriptById).WithName("GetTranscriptById")
            .WithSummary("The transcript of one of the caller's meetings by its id (as current Vexa reads one exactly)")
            .Produces<TranscriptResponse>().ProducesDetail(403, 404, 422, 429, 502, 503, 504);
        transcripts.MapGet("/{platform}/{native_meeting_id}", GetTranscript).WithName("GetTranscript")
            .WithSummary("The caller's newest meeting on this native id, or ?meeting_id= for an older one")
            .WithQuery("meeting_id", "Our id of an older meeting on this native id (from GET /meetings)", JsonSchemaType.Integer)
            .Produces<TranscriptResponse>().ProducesDetail(403, 404, 422, 429, 502, 503, 504);
        return app;
    }

    /// <summary>By our id; another user's meeting is as absent as one that never existed (Vexa 0.12's text).</summary>
    public static async Task<IResult> GetTranscriptById(Caller caller, string meeting_id, MeetingStore meetings, TranscriptStore transcripts,
        TranscriptRouteCache routes, HttpContext context, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(meeting_id, "meeting_id");
        if (error is not null)
        {
            return error;
        }
        if (await meetings.GetAsync(caller.UserId, id, ct) is not { } found)
        {
            return TypedResults.NotFound(new ErrorBody($"Meeting {id} not found"));
        }
        // The route's generation before the meeting is read again, as the plain read takes it (see there).
        var route = await routes.ReadGenerationAsync(caller.UserId, found.Platform, found.NativeMeetingId);
        var meeting = await meetings.GetAsync(caller.UserId, id, ct) ?? found;
        var answer = await transcripts.GetAsync(meeting, route, ct);
        KeepIfFed(context, answer);
        return TypedResults.Bytes(answer.Body, "application/json");
    }

    public static async Task<IResult> GetTranscript(Caller caller, string platform, string native_meeting_id, HttpRequest request,
        VexaDbContext db, MeetingStore meetings, TranscriptStore transcripts, TranscriptRouteCache routes, CancellationToken ct)
    {
        long? meetingId = null;
        if (request.Query.TryGetValue("meeting_id", out var raw))
        {
            if (!long.TryParse(raw[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return ValidationErrorBody.Single(["query", "meeting_id"], "value is not a valid integer", "type_error.integer");
            }
            meetingId = id;
        }
        // Taken before the database is read: caches are written only while it is unchanged, so a change committed
        // meanwhile keeps this read's bytes out of them (TranscriptRouteCache). Null when Redis is unavailable.
        var route = await routes.ReadGenerationAsync(caller.UserId, platform, native_meeting_id);

        // Hot path: a final meeting's transcript never changes, so its cached bytes are the answer.
        if (route is not null
            && await FinalMeetingLookup.FindFinalAsync(db, caller.UserId, platform, native_meeting_id, meetingId, ct) is { } finalId
            && await transcripts.TryCompletedAsync(finalId) is { } cached)
        {
            return await AnswerAsync(cached, isFinal: true);
        }
        var meeting = await meetings.FindAsync(caller.UserId, platform, native_meeting_id, meetingId, ct);
        if (meeting is null)
        {
            return TypedResults.NotFound(new ErrorBody(MeetingStore.NotFound(platform, native_meeting_id)));
        }
        var answer = await transcripts.GetAsync(meeting, route, ct);
        KeepIfFed(request.HttpContext, answer);
        return await AnswerAsync(answer.Body, MeetingStatus.IsFinal(meeting.Status));

        async Task<IResult> AnswerAsync(byte[] body, bool isFinal)
        {
            // Only a plain read is what the gateway serves for this route.
            if (route is not null && isFinal && !request.QueryString.HasValue)
            {
                await routes.StoreAsync(route, body);
            }
            return TypedResults.Bytes(body, "application/json");
        }
    }

    /// <summary>A live answer from the copy the feed keeps whole may be kept at the gateway: every write to the copy
    /// renews the owner's reads.</summary>
    private static void KeepIfFed(HttpContext context, TranscriptAnswer answer)
    {
        if (answer.Fed)
        {
            EdgeKeep.For(context, TranscriptStore.FedKeep);
        }
    }
}
