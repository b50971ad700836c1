using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>bot-manager's user endpoints (contract 4.1-4.4).</summary>
public static class BotsApi
{
    public static IEndpointRouteBuilder MapBotsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/bots").WithTags("Bots").RequireVexaApiKey(ApiKeyScheme.BotManager);

        api.MapPost("", StartBot).WithName("StartBot").WithSummary("Send a bot to a meeting.");
        api.MapDelete("/{platform}/{nativeMeetingId}", StopBot).WithName("StopBot").WithSummary("Ask the active bot to leave.");
        api.MapPut("/{platform}/{nativeMeetingId}/config", ReconfigureBot).WithName("ReconfigureBot")
            .WithSummary("Change language/task of the active bot.");
        api.MapGet("/status", GetRunningBots).WithName("RunningBots").WithSummary("The user's running bot containers.");

        return app;
    }

    public static Results<Created<MeetingResponse>, Conflict<ErrorBody>, JsonHttpResult<ErrorBody>, UnprocessableEntity<ValidationErrorBody>>
        StartBot(JsonBody body, MeetingStore store)
    {
        if (!MeetingCreate.TryRead(body, out var request, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        return store.StartBot(request) switch
        {
            StartBotResult.Started started => TypedResults.Created((string?)null, started.Meeting),
            StartBotResult.AlreadyRunning running => TypedResults.Conflict(new ErrorBody(
                "An active or requested meeting already exists for this platform and meeting ID, and its container is running. " +
                $"Meeting ID: {running.MeetingId}")),
            StartBotResult.LimitReached limit => TypedResults.Json(
                new ErrorBody($"User has reached the maximum concurrent bot limit ({limit.Limit})."),
                EmulatorJsonContext.Web.ErrorBody, statusCode: StatusCodes.Status403Forbidden),
            _ => throw new InvalidOperationException("Unknown start result."),
        };
    }

    public static Results<Accepted<MessageResponse>, NotFound<ErrorBody>> StopBot(string platform, string nativeMeetingId,
        MeetingStore store, EmulatorBehaviour behaviour) =>
        store.StopBot(platform, nativeMeetingId, out var finalStatus) switch
        {
            StopResult.Stopping => TypedResults.Accepted((string?)null, new MessageResponse("Stop request accepted and is being processed.")),
            StopResult.AlreadyFinal => TypedResults.Accepted((string?)null, new MessageResponse($"Meeting already {finalStatus}.")),
            // dfc7c83e's text, and 2025-09's (contract 12)
            _ => TypedResults.NotFound(new ErrorBody(behaviour.Current.PushesStatuses ? "No meeting found to stop." : "Active meeting not found.")),
        };

    public static Results<Accepted<MessageResponse>, Conflict<ErrorBody>, NotFound<ErrorBody>, UnprocessableEntity<ValidationErrorBody>>
        ReconfigureBot(string platform, string nativeMeetingId, JsonBody body, MeetingStore store)
    {
        if (!BotConfigUpdate.TryRead(body, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        return store.Reconfigure(platform, nativeMeetingId, out var status) switch
        {
            ReconfigureResult.Accepted => TypedResults.Accepted((string?)null,
                new MessageResponse("Reconfiguration request accepted and sent to the bot.")),
            ReconfigureResult.NotActive => TypedResults.Conflict(new ErrorBody(
                $"Meeting found but is not active (status: '{status}'). Cannot reconfigure.")),
            _ => TypedResults.NotFound(new ErrorBody(
                $"No active meeting found for platform {platform} and meeting ID {nativeMeetingId}.")),
        };
    }

    public static Ok<RunningBotsResponse> GetRunningBots(MeetingStore store, RequestStats stats)
    {
        stats.CountRunningBotsListing();
        return TypedResults.Ok(store.RunningBots());
    }
}
