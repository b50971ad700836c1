using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>What a Retailer reads to learn which Vexa it talks to (vexa-0.12.md §1): <c>GET /openapi.json</c> (no key),
/// <c>GET /</c> (no route on 0.12) and <c>GET /auth/me</c> (0.12 and 1.5).</summary>
public static class RootApi
{
    public static IEndpointRouteBuilder MapRootApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetRoot)
            .WithName("GatewayRoot")
            .WithSummary("The API gateway's welcome message; no auth, used as a health probe.")
            .WithTags("Gateway");
        app.MapGet("/openapi.json", GetOpenApi).WithTags("Gateway").ExcludeFromDescription();
        app.MapGet("/auth/me", GetMe).WithTags("Gateway").WithName("AuthMe").WithSummary("0.12 and 1.5: the key's user, scopes and bot cap.");
        return app;
    }

    public static IResult GetRoot(EmulatorBehaviour behaviour) => behaviour.Current.Generation.WelcomesAtRoot
        ? TypedResults.Ok(new MessageResponse("Welcome to the Vexa API Gateway"))
        : TypedResults.NotFound(new ErrorBody("Not Found"));

    /// <summary>Only the <c>info</c> the detection reads and the paths' names; FastAPI's document has the schemas too.</summary>
    public static IResult GetOpenApi(EmulatorBehaviour behaviour, EndpointDataSource endpoints)
    {
        var (title, version) = behaviour.Current.Generation.OpenApiInfo;
        var paths = new JsonObject();
        foreach (var pattern in endpoints.Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText)
            .Where(p => p is not null && !p.StartsWith("/_emulator", StringComparison.Ordinal)).Distinct())
        {
            paths[pattern!] = new JsonObject();
        }
        return TypedResults.Ok(new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject { ["title"] = title, ["version"] = version },
            ["paths"] = paths,
        });
    }

    public static IResult GetMe(HttpRequest request, EmulatorBehaviour behaviour, ApiKeyValidator keys, IOptions<EmulatorOptions> options)
    {
        if (!behaviour.Current.Generation.HasAuthMe)
        {
            return TypedResults.NotFound(new ErrorBody("Not Found"));
        }
        switch (keys.Check(request.Headers[ApiKeyValidator.HeaderName]))
        {
            case ApiKeyCheck.Missing:
                return TypedResults.Json(new ErrorBody("Missing API key"), statusCode: StatusCodes.Status401Unauthorized);
            case ApiKeyCheck.Invalid:
                return TypedResults.Json(new ErrorBody("Invalid API key"), statusCode: StatusCodes.Status401Unauthorized);
        }
        var o = options.Value;
        return TypedResults.Ok(new JsonObject
        {
            ["user_id"] = o.SystemUserId,
            ["email"] = o.SystemUserEmail,
            ["scopes"] = new JsonArray([.. o.SystemKeyScopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => JsonValue.Create(s))]),
            ["max_concurrent"] = o.MaxConcurrentBots,
        });
    }
}
