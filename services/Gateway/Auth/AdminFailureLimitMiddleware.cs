using VexaService.Gateway.Proxy;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Admin keys are checked by admin-api; the gateway counts its refusals (403) per client address and, once a client
/// has spent its budget (<see cref="RateLimitOptions.ClientAdminFailuresPerMinute"/>), answers its <c>/admin/*</c>
/// requests with 429 before forwarding anything, so the admin key cannot be guessed at speed.
/// </summary>
public sealed class AdminFailureLimitMiddleware(RequestDelegate next, ClientLimits limits)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetReverseProxyFeature().Route.Config.RouteId != GatewayRoutes.Admin)
        {
            await next(context);
            return;
        }
        if (limits.CheckAdmin(context) is { } wait)
        {
            await ClientLimits.RefuseAsync(context, wait);
            return;
        }
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status403Forbidden)
        {
            limits.RecordAdminFailure(context);
        }
    }
}
