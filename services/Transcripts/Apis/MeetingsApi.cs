using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
using VexaService.Http.Caching;
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
        app.MapGroup("/bots").WithTags("Bots").RequireCaller("Invalid API token")
            .MapGet("/", PageMeetings).WithName("PageMeetings")
            .WithSummary("The caller's meetings a page at a time, newest first, with has_more (limit 1..100, default 50; offset)")
            .WithQuery("limit", "Meetings per page, 1..100 (default 50)", JsonSchemaType.Integer)
            .WithQuery("offset", "Meetings to skip", JsonSchemaType.Integer)
            .WithQuery("status", "Only meetings in these statuses (repeat, or comma-separated)")
            .WithQuery("platform", "Only meetings on these platforms (repeat, or comma-separated)")
            .Produces<MeetingPageResponse>().ProducesDetail(403, 422, 429);
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
        var (filters, filterError) = Filters(request);
        if (filterError is not null)
        {
            return filterError;
        }
        var meetings = await store.ListAsync(caller.UserId, skip, limit, ct, filters.Statuses, filters.Platforms);
        EdgeKeep.For(request.HttpContext, EdgeKeep.UntilChanged); // our rows alone: renewed with every write to them
        return TypedResults.Ok(new MeetingListResponse(meetings.Select(MeetingResponses.ToResponse).ToList()));
    }

    /// <summary>
    /// <c>GET /bots</c> as current Vexa pages it (vexa-0.12.md §2.4): the caller's meetings, newest first, <c>limit</c>
    /// 1..100 (50 unless given) from <c>offset</c>, with <c>has_more</c>; the same filters as <c>GET /meetings</c>.
    /// </summary>
    public static async Task<IResult> PageMeetings(Caller caller, HttpRequest request, MeetingStore store, CancellationToken ct)
    {
        var (limit, badLimit) = QueryValues.Limit(request, 50, 100);
        if (badLimit is not null)
        {
            return badLimit;
        }
        var (offset, badOffset) = QueryValues.Integer(request, "offset", 0, 0, int.MaxValue - 101);
        if (badOffset is not null)
        {
            return badOffset;
        }
        var (filters, filterError) = Filters(request);
        if (filterError is not null)
        {
            return filterError;
        }
        // One more than the page: whether there is more, without counting them all.
        var meetings = await store.ListAsync(caller.UserId, offset, limit + 1, ct, filters.Statuses, filters.Platforms);
        EdgeKeep.For(request.HttpContext, EdgeKeep.UntilChanged);
        return TypedResults.Ok(new MeetingPageResponse(meetings.Take(limit).Select(MeetingResponses.ToResponse).ToList(), meetings.Count > limit));
    }

    /// <summary>The <c>status</c> and <c>platform</c> filters (each repeated or comma-separated), or the 422 they earn.</summary>
    private static ((string[]? Statuses, string[]? Platforms) Filters, IResult? Error) Filters(HttpRequest request)
    {
        var (statuses, statusIssue) = QueryValues.List(request, "status");
        var (platforms, platformIssue) = QueryValues.List(request, "platform");
        if (platforms?.FirstOrDefault(p => !Platforms.IsKnown(p)) is not null)
        {
            platformIssue = new ValidationIssue(["query", "platform"], Platforms.EnumMessage, "type_error.enum");
        }
        return new[] { statusIssue, platformIssue }.OfType<ValidationIssue>().ToList() is { Count: > 0 } issues
            ? ((null, null), new ValidationErrorBody(issues).ToResult())
            : ((statuses, platforms), null);
    }

    /// <summary>By our id, from our database; another user's meeting is as absent as one that never existed.</summary>
    public static async Task<IResult> GetMeeting(Caller caller, string meeting_id, MeetingStore store, HttpContext context, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(meeting_id, "meeting_id");
        if (error is not null)
        {
            return error;
        }
        if (await store.GetAsync(caller.UserId, id, ct) is not { } meeting)
        {
            return TypedResults.NotFound(new ErrorBody(MeetingStore.NotFoundById));
        }
        EdgeKeep.For(context, EdgeKeep.UntilChanged);
        return TypedResults.Ok(meeting.ToResponse());
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

public sealed record MeetingPageResponse(IReadOnlyList<MeetingResponse> Meetings, bool HasMore);
