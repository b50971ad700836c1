using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>The transcription collector's meeting endpoints (contract 4.5, 4.7, 4.8).</summary>
public static class MeetingsApi
{
    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/meetings").WithTags("Meetings").RequireVexaApiKey(ApiKeyScheme.TranscriptionCollector);

        api.MapGet("", ListMeetings).WithName("ListMeetings").WithSummary("All meetings of the user, newest first.");
        api.MapPatch("/{platform}/{nativeMeetingId}", UpdateMeetingData).WithName("UpdateMeetingData")
            .WithSummary("Merge name/participants/languages/notes into the newest meeting's data.");
        api.MapDelete("/{platform}/{nativeMeetingId}", DeleteMeeting).WithName("DeleteMeeting")
            .WithSummary("Delete the newest meeting and its transcript.");

        return app;
    }

    public static Ok<MeetingListResponse> ListMeetings(MeetingStore store, RequestStats stats)
    {
        stats.CountMeetingListing();
        return TypedResults.Ok(store.ListMeetings());
    }

    public static Results<Ok<MeetingResponse>, BadRequest<ErrorBody>, NotFound<ErrorBody>, UnprocessableEntity<ValidationErrorBody>>
        UpdateMeetingData(string platform, string nativeMeetingId, JsonBody body, MeetingStore store)
    {
        if (!MeetingDataUpdate.TryRead(body, out var update, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        return store.UpdateData(platform, nativeMeetingId, update, out var meeting) switch
        {
            UpdateResult.Updated => TypedResults.Ok(meeting!),
            UpdateResult.NoData => TypedResults.BadRequest(new ErrorBody("No data provided for update.")),
            _ => TypedResults.NotFound(NotFound(platform, nativeMeetingId)),
        };
    }

    public static Results<Ok<MessageResponse>, NotFound<ErrorBody>> DeleteMeeting(string platform, string nativeMeetingId,
        MeetingStore store) =>
        store.DeleteNewest(platform, nativeMeetingId)
            ? TypedResults.Ok(new MessageResponse($"Meeting {platform}/{nativeMeetingId} and all its transcripts have been deleted"))
            : TypedResults.NotFound(NotFound(platform, nativeMeetingId));

    internal static ErrorBody NotFound(string platform, string nativeMeetingId) =>
        new($"Meeting not found for platform {platform} and ID {nativeMeetingId}");
}
