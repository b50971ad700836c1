using VexaService.Contracts;
using VexaService.Gateway.Auth;
using VexaService.Http;
using VexaService.Observability;

namespace VexaService.Gateway.Mcp;

/// <summary>
/// The one key check (<see cref="KeyCheck"/>: expiry, per-key rate limit, usage, the address's lookup budget) in front
/// of <c>/mcp</c>, with the key where MCP clients put it, as Vexa's MCP server takes it:
/// <c>Authorization: Bearer &lt;key&gt;</c>, a raw <c>Authorization: &lt;key&gt;</c>, or <c>X-API-Key</c>. Every MCP request
/// counts against the key like any other request. No key: 401; a key that is not ours: 403; each with a JSON detail, so a
/// client sees why at once instead of a hang. The tools check the scope each needs (<see cref="MeetingTools"/>).
/// </summary>
public sealed class McpKeyMiddleware(RequestDelegate next, KeyCheck keys, VexaMetrics metrics)
{
    public const string Path = "/mcp";

    /// <summary>Where the verified key's grant is kept for the tools of this request.</summary>
    public static readonly object GrantKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(Path))
        {
            await next(context);
            return;
        }
        context.Request.Headers.Remove(CallerToken.HeaderName);
        var outcome = await keys.CheckAsync(context, Key(context.Request), scope: null, transcriptRoute: null);
        switch (outcome)
        {
            case KeyCheck.Outcome.Granted granted:
                context.Items[GrantKey] = granted.Grant;
                await next(context);
                return;
            case KeyCheck.Outcome.Missing:
                await RejectAsync(context, StatusCodes.Status401Unauthorized,
                    "Missing API key: send it as Authorization: Bearer <key>, Authorization: <key> or X-API-Key");
                return;
            case KeyCheck.Outcome.LookupsSpent spent:
                await ClientLimits.RefuseAsync(context, spent.Wait);
                return;
            case KeyCheck.Outcome.RateLimited limited:
                await limited.RefuseAsync(context, metrics);
                return;
            default:
                await RejectAsync(context, StatusCodes.Status403Forbidden, "Invalid API key");
                return;
        }
    }

    /// <summary>The key from <c>X-API-Key</c>, else <c>Authorization</c> (with or without <c>Bearer</c>).</summary>
    public static string? Key(HttpRequest request)
    {
        if (request.Headers[UserAuthenticationMiddleware.ApiKeyHeader].ToString() is { Length: > 0 } key)
        {
            return key;
        }
        var authorization = request.Headers.Authorization.ToString().Trim();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim()
            : authorization.Length > 0 ? authorization : null;
    }

    private static Task RejectAsync(HttpContext context, int status, string detail) =>
        TypedResults.Json(new ErrorBody(detail), statusCode: status).ExecuteAsync(context);
}
