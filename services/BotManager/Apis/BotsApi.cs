using VexaService.BotManager.Services;
using VexaService.Shared.Identity;

namespace VexaService.BotManager.Apis;

/// <summary>Vexa's bot endpoints (contract 4.1-4.4), per end user, through the Wholesaler.</summary>
public static class BotsApi
{
    public static IEndpointRouteBuilder MapBotsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/bots").WithTags("Bots").RequireCaller("Invalid API token");
        api.MapGet("/status", GetStatus).WithName("GetBotsStatus").WithSummary("The caller's running bots");
        return app;
    }

    public static async Task<IResult> GetStatus(Caller caller, BotStatusReader reader, CancellationToken ct) =>
        TypedResults.Ok(await reader.ReadAsync(caller.UserId, ct));
}
