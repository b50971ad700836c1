using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using VexaService.Contracts;

namespace VexaService.Http;

public static class PlatformRouteFilter
{
    /// <summary>
    /// Every endpoint of the group with a <c>{platform}</c> route value answers 422 for an unknown platform, as Vexa
    /// does; the gateway checks the same before authentication, this keeps each service right on its own.
    /// </summary>
    public static TBuilder RequireKnownPlatform<TBuilder>(this TBuilder group) where TBuilder : IEndpointConventionBuilder
    {
        group.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.RouteValues.TryGetValue("platform", out var platform) && !Platforms.IsKnown(platform as string)
                ? Platforms.InvalidPathPlatform()
                : await next(context));
        return group;
    }
}
