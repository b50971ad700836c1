using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.Gateway.Auth;
using VexaService.Contracts;
using VexaService.Keys;
using VexaService.Observability;

namespace VexaService.Gateway.Live;

/// <summary>
/// <c>GET /ws</c> at the gateway: Vexa's live transcript protocol (contract §14) for our users. The socket is accepted
/// first, as Vexa's gateway does; the key comes from <c>X-API-Key</c> or <c>?api_key=</c>. No key: Vexa's
/// <c>missing_api_key</c> frame and close 4401. A key that is not ours: an <c>invalid_api_key</c> frame and close 4401
/// at once (Vexa keeps such a socket open until its first subscribe; we do not hold sockets for unknown callers). A key
/// without the <c>transcripts</c> scope: a <c>missing_scope</c> frame and close 4403. The key is checked as on every
/// other route (<see cref="KeyCheck"/>); over its rate limit, or the client's lookups spent: close 4429.
/// One key holds at most <see cref="LiveOptions.MaxSocketsPerKey"/> sockets on a replica (then close 4429).
/// </summary>
public static class LiveApi
{
    public const int Unauthorized = 4401;

    /// <summary>A key without the <c>transcripts</c> scope.</summary>
    public const int Forbidden = 4403;

    /// <summary>Too many: requests, sockets of one key, or frames a slow client left unread.</summary>
    public const int TooMany = 4429;

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", Accept).WithTags("Live").ExcludeFromDescription();
        return app;
    }

    private static async Task Accept(HttpContext context, KeyCheck keys, EdgeLookup edge,
        LiveRouter router, MeetingOwners owners, LiveConnections connections, IOptions<LiveOptions> options,
        VexaMetrics metrics, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { detail = "WebSocket connection expected" });
            return;
        }
        string? key = context.Request.Headers[UserAuthenticationMiddleware.ApiKeyHeader];
        if (string.IsNullOrEmpty(key))
        {
            key = context.Request.Query["api_key"];
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        KeyCheck.Outcome outcome;
        try
        {
            outcome = await keys.CheckAsync(context, key, ApiScopes.Transcripts);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            loggers.CreateLogger<LiveSocket>().LogWarning("Could not check a /ws key: {Error}", e.Message);
            await RefuseAsync(socket, LiveProtocol.AuthorizationServiceError(503, """{"detail":"Could not check your API key; try again"}"""),
                WebSocketCloseStatus.InternalServerError, "authorization service unavailable");
            return;
        }
        switch (outcome)
        {
            case KeyCheck.Outcome.Missing:
                await RefuseAsync(socket, "missing_api_key", Unauthorized, "missing_api_key");
                return;
            case KeyCheck.Outcome.Invalid:
                await RefuseAsync(socket, "invalid_api_key", Unauthorized, "invalid_api_key");
                return;
            case KeyCheck.Outcome.LookupsSpent or KeyCheck.Outcome.RateLimited:
                await RefuseAsync(socket, "too_many_requests", TooMany, "too many requests");
                return;
            case KeyCheck.Outcome.MissingScope missing:
                await RefuseAsync(socket, "missing_scope", Forbidden, missing.Detail);
                return;
        }
        var (grant, hash, _, _) = (KeyCheck.Outcome.Granted)outcome; // the hash also meters each of the socket's messages
        var user = grant.UserId;
        if (!connections.TryOpen(grant.TokenId, options.Value.MaxSocketsPerKey))
        {
            metrics.LiveClosed("too_many_sockets");
            await RefuseAsync(socket, "too_many_connections", TooMany,
                $"at most {options.Value.MaxSocketsPerKey} connections per key");
            return;
        }
        try
        {
            var live = new LiveSocket(socket, user, grant.TokenId, async () => (await edge.ReadAsync(hash, transcriptRoute: null)).RetryAfterSeconds,
                router, owners, options.Value, metrics, loggers.CreateLogger<LiveSocket>());
            connections.Track(live);
            try
            {
                await live.RunAsync(context.RequestAborted, lifetime.ApplicationStopping);
            }
            finally
            {
                connections.Untrack(live);
            }
        }
        finally
        {
            connections.Close(grant.TokenId);
        }
    }

    /// <summary>Vexa's error frame, then the close.</summary>
    private static Task RefuseAsync(WebSocket socket, string error, int code, string reason) =>
        RefuseAsync(socket, LiveProtocol.Error(error), (WebSocketCloseStatus)code, reason);

    private static async Task RefuseAsync(WebSocket socket, JsonObject frame, WebSocketCloseStatus code, string reason)
    {
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseAsync(code, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client left first
        }
    }
}
