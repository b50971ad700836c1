using System.Diagnostics;
using Microsoft.Extensions.Options;
using VexaService.Gateway.Caching;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Observability;
using VexaService.Gateway.Proxy;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Runs in the proxy pipeline for every routed request: checks the <c>{platform}</c> segment (422 before auth,
/// as Vexa's gateway does), checks X-API-Key (<see cref="KeyCheck"/>, shared with <c>/ws</c>: an unknown or expired key
/// 403, one without the route's scope 403, over its rate limit 429, the client's lookups spent 429), and replaces
/// whatever identity header the client sent with one the gateway signs. The end user's key is not forwarded.
/// A plain read of a completed transcript is answered here from <see cref="TranscriptRouteCache"/> when Transcripts
/// left it there: the same bytes Transcripts would send, without the second hop. The reads users poll are answered
/// from <see cref="UserReadCache"/> while the user's read generation is the one they were kept under.
/// </summary>
public sealed class UserAuthenticationMiddleware(
    RequestDelegate next, KeyCheck keys, TranscriptBodies transcripts, UserReadCache reads, IOptions<UserReadCacheOptions> readOptions,
    CallerToken callerTokens, VexaMetrics metrics)
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

        var userRead = UserReadCache.IsCandidate(context.Request, route.RouteId);
        var outcome = await keys.CheckAsync(context, context.Request.Headers[ApiKeyHeader], family.Scope,
            CachedTranscriptRoute(context.Request, route.RouteId), userRead && readOptions.Value.Enabled);
        switch (outcome)
        {
            case KeyCheck.Outcome.Missing:
                await Reject(context, family.MissingStatus, family.MissingDetail);
                return;
            case KeyCheck.Outcome.Invalid:
                await Reject(context, StatusCodes.Status403Forbidden, family.InvalidDetail);
                return;
            case KeyCheck.Outcome.LookupsSpent spent:
                await ClientLimits.RefuseAsync(context, spent.Wait); // this address's PostgreSQL lookups are spent
                return;
            case KeyCheck.Outcome.MissingScope missing:
                await Reject(context, StatusCodes.Status403Forbidden, missing.Detail);
                return;
            case KeyCheck.Outcome.RateLimited limited:
                await limited.RefuseAsync(context, metrics);
                return;
        }
        var (grant, _, transcriptTag, readGeneration) = (KeyCheck.Outcome.Granted)outcome;
        if (transcriptTag is { } tag && await transcripts.GetAsync(tag) is { } transcript)
        {
            Activity.Current?.SetTag("vexa.transcript.cache", "gateway");
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = transcript.Length;
            await context.Response.Body.WriteAsync(transcript, context.RequestAborted);
            return;
        }

        if (readGeneration is not null && await reads.TryAnswerAsync(context, grant.UserId, readGeneration))
        {
            return;
        }

        context.Request.Headers.Remove(ApiKeyHeader);
        context.Request.Headers[CallerToken.HeaderName] = callerTokens.Sign(grant.UserId, grant.Scopes);
        if (userRead)
        {
            await reads.ForwardAsync(context, grant.UserId, readGeneration, next);
            return;
        }
        await next(context);
    }

    /// <summary>
    /// <see cref="TranscriptRouteCache.Route"/> of <c>GET /transcripts/{platform}/{native_meeting_id}</c> without a
    /// query, else null. Paths still holding an escape (<c>%2F</c>, <c>%25</c>) are left to Transcripts' routing.
    /// </summary>
    private static string? CachedTranscriptRoute(HttpRequest request, string routeId)
    {
        if (routeId != GatewayRoutes.Transcripts || !HttpMethods.IsGet(request.Method) || request.QueryString.HasValue)
        {
            return null;
        }
        var path = request.Path.Value.AsSpan();
        if (path.Contains('%'))
        {
            return null;
        }
        Span<Range> parts = stackalloc Range[5];
        if (path.Split(parts, '/') != 4 || path[parts[0]].Length != 0 || path[parts[2]].IsEmpty || path[parts[3]].IsEmpty
            || path[parts[2]].SequenceEqual(ByIdSegment))
        {
            return null;
        }
        return TranscriptRouteCache.Route(path[parts[2]].ToString(), path[parts[3]].ToString());
    }

    private const string ByIdSegment = "by-id";

    /// <summary>The second segment of <c>/bots|meetings|transcripts/{platform}/{id}...</c>, else null.</summary>
    private static string? PlatformSegment(PathString path)
    {
        var segments = path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        // /transcripts/by-id/{id} names no platform (current Vexa's exact read).
        return segments.Length >= 3 && segments[1] != ByIdSegment ? Uri.UnescapeDataString(segments[1]) : null;
    }

    private static Task Reject(HttpContext context, int status, string detail) =>
        TypedResults.Json(new ErrorBody(detail), statusCode: status).ExecuteAsync(context);
}
