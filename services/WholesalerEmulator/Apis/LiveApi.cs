using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>
/// <c>GET /ws</c>: live transcripts over a WebSocket, as Vexa's gateway serves them since September 2025 (contract §14).
/// The socket is accepted first; the key (header <c>X-API-Key</c> or query <c>api_key</c>) is checked only by a
/// subscribe, as Vexa's gateway leaves that to its collector. See <see cref="LiveSession"/>.
/// </summary>
public static class LiveApi
{
    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", Accept).WithTags("Live").ExcludeFromDescription();
        return app;
    }

    private static async Task Accept(HttpContext context, ApiKeyValidator keys, LiveSessionFactory sessions)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { detail = "WebSocket connection expected" });
            return;
        }
        var header = context.Request.Headers[ApiKeyValidator.HeaderName];
        var key = header.Count > 0 && !string.IsNullOrEmpty(header[0]) ? header : context.Request.Query["api_key"];
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await sessions.RunAsync(socket, keys.Check(key), context.RequestAborted);
    }
}
