using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback standing in for the services behind the gateway: it answers 200 with the
/// path, query and the identity-related headers it received, so tests see exactly what the gateway forwards.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app, string address) => (_app, Address) = (app, address);

    public string Address { get; }

    public static async Task<EchoBackend> StartAsync()
    {
        var (app, address) = await Loopback.StartAsync(app => app.Run(context => WrongAdminKey(context)
            ? Results.Json(new { detail = "Invalid or missing admin token." }, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context)
            : context.Response.WriteAsJsonAsync(new Dictionary<string, string?>
        {
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["caller"] = context.Request.Headers["X-Vexa-Caller"].ToString(),
            ["api_key"] = context.Request.Headers["X-API-Key"].ToString(),
        })));
        return new EchoBackend(app, address);
    }

    /// <summary>As admin-api: a wrong admin key is a 403.</summary>
    private static bool WrongAdminKey(HttpContext context) =>
        context.Request.Headers.TryGetValue("X-Admin-API-Key", out var key) && key != TestEnvironment.AdminKey;

    /// <summary>Gateway settings that send every cluster to this backend (as service discovery would).</summary>
    public Dictionary<string, string?> GatewaySettings() => new()
    {
        ["services:admin-api:http:0"] = Address,
        ["services:bot-manager:http:0"] = Address,
        ["services:transcripts:http:0"] = Address,
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public static HttpStatusCode Ok => HttpStatusCode.OK;
}
