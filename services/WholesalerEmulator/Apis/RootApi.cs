using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Apis;

public static class RootApi
{
    public static IEndpointRouteBuilder MapRootApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetRoot)
            .WithName("GatewayRoot")
            .WithSummary("The API gateway's welcome message; no auth, used as a health probe.")
            .WithTags("Gateway");
        return app;
    }

    public static Ok<MessageResponse> GetRoot() => TypedResults.Ok(new MessageResponse("Welcome to the Vexa API Gateway"));
}
