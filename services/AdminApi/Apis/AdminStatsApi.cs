using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Http;

namespace VexaService.AdminApi.Apis;

public static class AdminStatsApi
{
    public static IEndpointRouteBuilder MapAdminStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/admin/stats").WithTags("Admin").RequireAdminKey()
            .MapGet("/meetings-users", MeetingsUsers).WithName("MeetingsUsers")
            .WithSummary("Meetings, newest first, each with its owner (works, unlike Vexa's)")
            .WithPaging().Produces<MeetingsUsersPage>().ProducesDetail(403, 422, 429);
        return app;
    }

    public static async Task<IResult> MeetingsUsers(HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (skip, limit, error) = QueryValues.Paging(request);
        if (error is not null)
        {
            return error;
        }
        var (total, items) = await users.MeetingsWithUsersAsync(skip, limit, ct);
        return TypedResults.Ok(new MeetingsUsersPage(total, items.Select(MeetingUserResponse.From).ToList()));
    }
}
