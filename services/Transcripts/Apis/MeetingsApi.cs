using System.Text.Json.Nodes;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
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
        api.MapGet("/", ListMeetings).WithName("ListMeetings")
            .WithSummary("The caller's meetings, newest first (status, platform; limit with offset or skip)")
            .WithPaging()
            .WithQuery("status", "Only meetings in these statuses (repeat, or comma-separated)")
            .WithQuery("platform", "Only meetings on these platforms (repeat, or comma-separated)")
            .Produces<MeetingListResponse>().ProducesDetail(403, 422, 429);
        api.MapGet("/{meeting_id}", GetMeeting).WithName("GetMeeting").WithSummary("One of the caller's meetings by its id")
            .Produces<MeetingResponse>().ProducesDetail(403, 404, 422, 429);
        api.MapPatch("/{platform}/{native_meeting_id}", UpdateMeeting).WithName("UpdateMeeting")
            .WithSummary("Merge name, participants, languages, notes into the newest meeting's data")
            .AcceptsJson<MeetingDataUpdate>().Produces<MeetingResponse>().ProducesDetail(400, 403, 404, 422, 429);
        api.MapDelete("/{platform}/{native_meeting_id}", DeleteMeeting).WithName("DeleteMeeting")
            .WithSummary("Delete the newest finished meeting and its transcript")
            .Produces<MessageResponse>().ProducesDetail(403, 404, 409, 422, 429, 502, 503, 504);
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
        var (statuses, statusIssue) = QueryValues.List(request, "status");
        var (platforms, platformIssue) = QueryValues.List(request, "platform");
        if (platforms?.FirstOrDefault(p => !Platforms.IsKnown(p)) is not null)
        {
            platformIssue = new ValidationIssue(["query", "platform"], Platforms.EnumMessage, "type_error.enum");
        }
        if (new[] { statusIssue, platformIssue }.OfType<ValidationIssue>().ToList() is { Count: > 0 } issues)
        {
            return new ValidationErrorBody(issues).ToResult();
        }
        var meetings = await store.ListAsync(caller.UserId, skip, limit, ct, statuses, platforms);
        return TypedResults.Ok(new MeetingListResponse(meetings.Select(MeetingResponses.ToResponse).ToList()));
    }

    /// <summary>By our id, from our database; another user's meeting is as absent as one that never existed.</summary>
    public static async Task<IResult> GetMeeting(Caller caller, string meeting_id, MeetingStore store, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(meeting_id, "meeting_id");
        if (error is not null)
        {
            return error;
        }
        return await store.GetAsync(caller.UserId, id, ct) is { } meeting
            ? TypedResults.Ok(meeting.ToResponse())
            : TypedResults.NotFound(new ErrorBody(MeetingStore.NotFoundById));
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
        return TypedResults.Ok(meeting.ToResponse());
    }

    public static Task<IResult> DeleteMeeting(Caller caller, string platform, string native_meeting_id, MeetingRemoval removal,
        CancellationToken ct) =>
        removal.RemoveAsync(caller.UserId, platform, native_meeting_id, ct);
}

public sealed record MeetingListResponse(IReadOnlyList<MeetingResponse> Meetings);
