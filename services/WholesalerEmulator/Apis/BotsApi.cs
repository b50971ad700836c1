using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>bot-manager's user endpoints (contract 4.1-4.4), as the generation played answers them (vexa-0.12.md §2.1-2.4).</summary>
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
        api.MapGet("", ListBots).WithName("ListBots").WithSummary("0.12 and 1.5: the user's meetings, a page at a time.");

        return app;
    }

    public static IResult StartBot(JsonBody body, MeetingStore store, EmulatorBehaviour behaviour)
    {
        if (!MeetingCreate.TryRead(body, out var request, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        var generation = behaviour.Current.Generation;
        if (generation.RequiresMeetingUrl(request.Platform) && string.IsNullOrEmpty(request.MeetingUrl))
        {
            return TypedResults.UnprocessableEntity(new ErrorBody($"unsupported platform '{request.Platform}' without a meeting_url — use "
                + "google_meet/teams, or provide meeting_url (required for zoom/jitsi)"));
        }
        if (generation.HasGatewayAuth && request.MeetingUrl is { } url && !url.StartsWith("https://", StringComparison.Ordinal))
        {
            return TypedResults.UnprocessableEntity(new ErrorBody("meeting_url must use https:// — the bot only joins TLS deployments"));
        }
        switch (store.StartBot(request))
        {
            case StartBotResult.Started started:
                return TypedResults.Json(started.Meeting, statusCode: StatusCodes.Status201Created);
            case StartBotResult.AlreadyRunning running:
                return TypedResults.Conflict(new ErrorBody(generation.AlreadyRunning(request.Platform, request.NativeMeetingId, running.MeetingId)));
            case StartBotResult.LimitReached limit:
                var (status, detail) = generation.LimitReached(limit.Running, limit.Limit);
                return TypedResults.Json(new ErrorBody(detail), EmulatorJsonContext.Web.ErrorBody, statusCode: status);
            default:
                throw new InvalidOperationException("Unknown start result.");
        }
    }

    public static IResult StopBot(string platform, string nativeMeetingId, MeetingStore store, EmulatorBehaviour behaviour)
    {
        var generation = behaviour.Current.Generation;
        var result = store.StopBot(platform, nativeMeetingId, out var finalStatus, out var meetingId);
        if (generation.StopAnswersWithRow)
        {
            // 0.12: 200 with the stopped row; nothing live (a final meeting, a repeated stop) is 404.
            return result == StopResult.Stopping
                ? TypedResults.Ok(new JsonObject
                {
                    ["status"] = "stopping",
                    ["meeting_id"] = meetingId,
                    ["native_meeting_id"] = nativeMeetingId,
                    ["also_stopped"] = new JsonArray(),
                    ["cancelled"] = new JsonArray(),
                })
                : TypedResults.NotFound(new ErrorBody(generation.NothingToStop));
        }
        return result switch
        {
            StopResult.Stopping => TypedResults.Accepted((string?)null, new MessageResponse("Stop request accepted and is being processed.")),
            StopResult.AlreadyFinal => TypedResults.Accepted((string?)null, new MessageResponse($"Meeting already {finalStatus}.")),
            _ => TypedResults.NotFound(new ErrorBody(generation.NothingToStop)),
        };
    }

    public static IResult ReconfigureBot(string platform, string nativeMeetingId, JsonBody body, MeetingStore store, EmulatorBehaviour behaviour)
    {
        if (!behaviour.Current.Generation.HasBotConfig)
        {
            return TypedResults.NotFound(new ErrorBody("Not Found")); // 0.12's meeting-api has no such route
        }
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

    public static IResult GetRunningBots(MeetingStore store, RequestStats stats, EmulatorBehaviour behaviour)
    {
        stats.CountRunningBotsListing();
        if (behaviour.Current.Generation.ListsRunningMeetingRows)
        {
            var rows = store.RunningMeetingRows(); // meeting rows, not containers
            return TypedResults.Ok(new JsonObject { ["running"] = rows, ["running_bots"] = rows.DeepClone(), ["count"] = rows.Count });
        }
        return TypedResults.Ok(store.RunningBots());
    }

    /// <summary><c>GET /bots?limit=1..100&amp;offset=&amp;status=&amp;platform=</c> (0.12 and 1.5): <c>{"meetings", "has_more"}</c>.</summary>
    public static IResult ListBots(HttpRequest request, MeetingStore store, RequestStats stats, EmulatorBehaviour behaviour)
    {
        if (!behaviour.Current.Generation.HasGatewayAuth)
        {
            return TypedResults.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }
        if (MeetingPage.TryRead(request, 50, out var page) is { } invalid)
        {
            return invalid;
        }
        stats.CountMeetingListing();
        var (meetings, hasMore) = store.ListMeetings(page);
        return TypedResults.Ok(new JsonObject { ["meetings"] = meetings, ["has_more"] = hasMore });
    }
}
