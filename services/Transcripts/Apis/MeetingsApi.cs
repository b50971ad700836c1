using System.Text.Json.Nodes;
using VexaService.Shared.Api;
using VexaService.Shared.Caching;
using VexaService.Shared.Data;
using VexaService.Shared.Errors;
using VexaService.Shared.Identity;
using VexaService.Shared.Json;
using VexaService.Shared.Platforms;
using VexaService.Transcripts.Services;

namespace VexaService.Transcripts.Apis;

/// <summary>Vexa's meeting endpoints (contract 4.5, 4.7, 4.8), each user seeing only their own meetings.</summary>
public static class MeetingsApi
{
    private static readonly string[] StringFields = ["name", "notes"];
    private static readonly string[] ListFields = ["participants", "languages"];

    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/meetings").WithTags("Meetings").RequireCaller("Invalid API token").RequireKnownPlatform();
        api.MapGet("/", ListMeetings).WithName("ListMeetings").WithSummary("The caller's meetings, newest first (skip, limit)");
        api.MapPatch("/{platform}/{native_meeting_id}", UpdateMeeting).WithName("UpdateMeeting")
            .WithSummary("Merge name, participants, languages, notes into the newest meeting's data");
        api.MapDelete("/{platform}/{native_meeting_id}", DeleteMeeting).WithName("DeleteMeeting")
            .WithSummary("Delete the newest finished meeting and its transcript");
        return app;
    }

    /// <summary>Served from our database alone: statuses are pushed to it and followed in the background, never fetched per request.</summary>
    public static async Task<IResult> ListMeetings(Caller caller, HttpRequest request, MeetingStore store, CancellationToken ct)
    {
        var (skip, limit, error) = QueryValues.Paging(request);
        if (error is not null)
        {
            return error;
        }
        var meetings = await store.ListAsync(caller.UserId, skip, limit, ct);
        return TypedResults.Ok(new MeetingListResponse(meetings.Select(MeetingResponse.From).ToList()));
    }

    public static async Task<IResult> UpdateMeeting(Caller caller, string platform, string native_meeting_id, HttpRequest request,
        MeetingStore store, TranscriptCopies transcripts, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var data = new FieldReader(body!).Object("data", required: true);
        var fields = new FieldReader(data ?? [], "data");
        var update = new JsonObject();
        foreach (var name in StringFields)
        {
            if (fields.String(name) is { } value)
            {
                update[name] = value;
            }
        }
        foreach (var name in ListFields)
        {
            if (fields.StringList(name) is { } values)
            {
                update[name] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }
        }
        if (data is null)
        {
            return ValidationErrorBody.Single(["body", "data"], "field required", "value_error.missing");
        }
        if (!fields.IsValid)
        {
            return fields.Error();
        }
        if (update.Count == 0)
        {
            return TypedResults.BadRequest(new ErrorBody("No data provided for update."));
        }

        var meeting = await store.FindAsync(caller.UserId, platform, native_meeting_id, null, ct);
        if (meeting is null)
        {
            return TypedResults.NotFound(new ErrorBody(MeetingStore.NotFound(platform, native_meeting_id)));
        }
        await store.MergeDataAsync(meeting, update);
        meeting.UpdatedAt = DateTime.UtcNow;
        await store.SaveAsync();
        await transcripts.DropAsync(meeting);
        return TypedResults.Ok(MeetingResponse.From(meeting));
    }

    public static Task<IResult> DeleteMeeting(Caller caller, string platform, string native_meeting_id, MeetingRemoval removal,
        CancellationToken ct) =>
        removal.RemoveAsync(caller.UserId, platform, native_meeting_id, ct);
}

public sealed record MeetingListResponse(IReadOnlyList<MeetingResponse> Meetings);
