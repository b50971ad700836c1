using VexaService.Shared.Api;
using VexaService.Shared.Identity;
using VexaService.Transcripts.Services;

namespace VexaService.Transcripts.Apis;

/// <summary>Vexa's meeting endpoints (contract 4.5, 4.7, 4.8), each user seeing only their own meetings.</summary>
public static class MeetingsApi
{
    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/meetings").WithTags("Meetings").RequireCaller("Invalid API token");
        api.MapGet("/", ListMeetings).WithName("ListMeetings").WithSummary("The caller's meetings, newest first (skip, limit)");
        return app;
    }

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
}

public sealed record MeetingListResponse(IReadOnlyList<MeetingResponse> Meetings);
