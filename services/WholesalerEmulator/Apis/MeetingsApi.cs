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

    /// <summary>Every meeting (2025-09); 0.12: the newest 50 unless <c>limit</c>/<c>offset</c> say otherwise, no <c>has_more</c>;
    /// 1.5: <c>limit</c> and <c>offset</c> optional.</summary>
    public static IResult ListMeetings(HttpRequest request, MeetingStore store, RequestStats stats, EmulatorBehaviour behaviour)
    {
        var generation = behaviour.Current.Generation;
        if (!generation.HasGatewayAuth)
        {
            stats.CountMeetingListing();
            return TypedResults.Ok(store.ListMeetings());
        }
        if (MeetingPage.TryRead(request, generation.MeetingsDefaultLimit, out var page) is { } invalid)
        {
            return invalid;
        }
        stats.CountMeetingListing();
        return TypedResults.Ok(new System.Text.Json.Nodes.JsonObject { ["meetings"] = store.ListMeetings(page).Meetings });
    }

    public static IResult UpdateMeetingData(string platform, string nativeMeetingId, JsonBody body, MeetingStore store, EmulatorBehaviour behaviour)
    {
        if (!behaviour.Current.Generation.PatchesMeetingData)
        {
            // 0.12 edits planned fields only; a meeting's data belongs to its bot's lifecycle.
            return TypedResults.UnprocessableEntity(new ErrorBody("no editable fields in body"));
        }
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

    public static IResult DeleteMeeting(string platform, string nativeMeetingId, MeetingStore store, EmulatorBehaviour behaviour)
    {
        if (behaviour.Current.Generation.HasGatewayAuth)
        {
            var (status, body) = store.DeleteArtifacts(platform, nativeMeetingId);
            return TypedResults.Json(body, statusCode: status);
        }
        return store.DeleteNewest(platform, nativeMeetingId)
            ? TypedResults.Ok(new MessageResponse($"Meeting {platform}/{nativeMeetingId} and all its transcripts have been deleted"))
            : TypedResults.NotFound(NotFound(platform, nativeMeetingId));
    }

    internal static ErrorBody NotFound(string platform, string nativeMeetingId) =>
        new($"Meeting not found for platform {platform} and ID {nativeMeetingId}");
}
