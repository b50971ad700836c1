using VexaService.AdminApi.Services;
using VexaService.Contracts;

namespace VexaService.AdminApi.Apis;

internal static class AdminKeyFilter
{
    public const string HeaderName = "X-Admin-API-Key";

    /// <summary>Vexa answers a missing or wrong admin key alike: 403 "Invalid or missing admin token."</summary>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var check = context.HttpContext.RequestServices.GetRequiredService<AdminKeyCheck>();
            if (!check.IsValid(context.HttpContext.Request.Headers[HeaderName]))
            {
                return TypedResults.Json(new ErrorBody("Invalid or missing admin token."), statusCode: StatusCodes.Status403Forbidden);
            }
            return await next(context);
        });
        return group;
    }
}
