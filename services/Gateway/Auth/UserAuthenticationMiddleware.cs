using System.Globalization;
using VexaService.Shared.Auth;
using VexaService.Shared.Errors;
using VexaService.Shared.Identity;
using VexaService.Shared.Platforms;
using Yarp.ReverseProxy.Model;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Runs in the proxy pipeline for every routed request: checks the <c>{platform}</c> segment (422 before auth,
/// as Vexa's gateway does), authenticates X-API-Key, applies the per-key rate limit, and replaces whatever
/// identity header the client sent with one the gateway signs. The end user's key is not forwarded.
/// </summary>
public sealed class UserAuthenticationMiddleware(
    RequestDelegate next, ApiKeyAuthenticator authenticator, RateLimiter rateLimiter, CallerToken callerTokens)
{
    public const string ApiKeyHeader = "X-API-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        context.Request.Headers.Remove(CallerToken.HeaderName); // never trust a client-supplied identity
        var route = context.GetReverseProxyFeature().Route.Config;
        var family = RouteFamily.FromMetadata(route.Metadata?.GetValueOrDefault("Auth"));
        if (family is null)
        {
            await next(context);
            return;
        }

        if (family.HasPlatformPaths && PlatformSegment(context.Request.Path) is { } platform && !Platforms.IsKnown(platform))
        {
            await Platforms.InvalidPathPlatform().ExecuteAsync(context);
            return;
        }

        string? apiKey = context.Request.Headers[ApiKeyHeader];
        if (string.IsNullOrEmpty(apiKey))
        {
            await Reject(context, family.MissingStatus, family.MissingDetail);
            return;
        }
        var hash = ApiKeyHash.Compute(apiKey);
        // The rate-limit count leaves with the key lookup, so both share one Redis round trip; it only matters
        // (and is only reported) when the key turns out to be valid.
        var limit = rateLimiter.CheckAsync(hash);
        var user = await authenticator.AuthenticateAsync(hash, context.RequestAborted);
        var limited = await limit;
        if (user is not { } userId)
        {
            await Reject(context, StatusCodes.Status403Forbidden, family.InvalidDetail);
            return;
        }
        if (limited is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await Reject(context, StatusCodes.Status429TooManyRequests, $"Rate limit exceeded. Retry after {retryAfter} seconds.");
            return;
        }

        context.Request.Headers.Remove(ApiKeyHeader);
        context.Request.Headers[CallerToken.HeaderName] = callerTokens.Sign(userId);
        await next(context);
    }

    /// <summary>The second segment of <c>/bots|meetings|transcripts/{platform}/{id}...</c>, else null.</summary>
    private static string? PlatformSegment(PathString path)
    {
        var segments = path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return segments.Length >= 3 ? Uri.UnescapeDataString(segments[1]) : null;
    }

    private static Task Reject(HttpContext context, int status, string detail) =>
        TypedResults.Json(new ErrorBody(detail), statusCode: status).ExecuteAsync(context);
}
