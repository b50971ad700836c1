using System.Text.Json.Nodes;
using VexaService.BotManager.Services;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Http.Caching;
using VexaService.Observability;

namespace VexaService.BotManager.Apis;

/// <summary>Vexa's bot endpoints (contract 4.1-4.4), per end user, through the Wholesaler.</summary>
public static class BotsApi
{
    public static IEndpointRouteBuilder MapBotsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/bots").WithTags("Bots").RequireCaller("Invalid API token").RequireKnownPlatform();
        api.MapPost("/", StartBot).WithName("StartBot").WithSummary("Send a bot to a meeting")
            .AcceptsJson<BotCreate>().Produces<MeetingResponse>(StatusCodes.Status201Created)
            .ProducesDetail(400, 403, 409, 422, 429, 502, 503, 504);
        api.MapGet("/status", GetStatus).WithName("GetBotsStatus").WithSummary("The caller's running bots")
            .Produces<BotStatusList>().ProducesDetail(403, 429, 502, 503, 504);
        api.MapDelete("/{platform}/{native_meeting_id}", StopBot).WithName("StopBot")
            .WithSummary("Stop the caller's bot in this meeting")
            .Produces<MessageResponse>(StatusCodes.Status202Accepted).ProducesDetail(403, 404, 409, 422, 429, 502, 503, 504);
        api.MapPut("/{platform}/{native_meeting_id}/config", ReconfigureBot).WithName("ReconfigureBot")
            .WithSummary("Change the language or task of the caller's active bot")
            .AcceptsJson<BotConfigUpdate>().Produces<MessageResponse>(StatusCodes.Status202Accepted)
            .ProducesDetail(400, 403, 404, 409, 422, 429, 502, 503, 504);
        return app;
    }

    public static async Task<IResult> StartBot(Caller caller, HttpRequest request, BotLifecycle bots, VexaMetrics metrics, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        var (bot, error) = bodyError is null ? BotRequest.Read(body!) : (null, bodyError);
        if (error is not null)
        {
            metrics.BotRefused("invalid");
            return error;
        }
        return await bots.StartAsync(caller.UserId, bot!, ct);
    }

    public static async Task<IResult> GetStatus(Caller caller, BotStatusReader reader, HttpContext context, TimeProvider time, CancellationToken ct)
    {
        var (bots, freshUntil) = await reader.ReadAsync(caller.UserId, ct);
        if (freshUntil is { } until)
        {
            EdgeKeep.For(context, until - time.GetUtcNow()); // the gateway keeps it as long as the copy it comes from is current
        }
        return TypedResults.Ok(bots);
    }

    public static Task<IResult> StopBot(Caller caller, string platform, string native_meeting_id, BotLifecycle bots, CancellationToken ct) =>
        bots.StopAsync(caller.UserId, platform, native_meeting_id, ct);

    public static async Task<IResult> ReconfigureBot(Caller caller, string platform, string native_meeting_id, HttpRequest request,
        BotLifecycle bots, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var reader = new FieldReader(body!);
        var language = reader.String("language", maxLength: 16);
        var task = reader.String("task", maxLength: 32);
        if (!reader.IsValid)
        {
            return reader.Error();
        }
        var config = new JsonObject { ["language"] = language, ["task"] = task };
        return await bots.ReconfigureAsync(caller.UserId, platform, native_meeting_id, config, ct);
    }
}
