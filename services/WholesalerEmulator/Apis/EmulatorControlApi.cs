using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>Emulator-only control endpoints under <c>/_emulator</c> (a path Vexa never uses), behind the system key.</summary>
public static class EmulatorControlApi
{
    public static IEndpointRouteBuilder MapEmulatorControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/_emulator").WithTags("Emulator").RequireVexaApiKey(ApiKeyScheme.BotManager);

        api.MapGet("/faults", GetFaults).WithName("GetFaults").WithSummary("The faults applied to Vexa paths.");
        api.MapPut("/faults", SetFaults).WithName("SetFaults").WithSummary("Set latency, error rate/status and refuse/hang mode.");
        api.MapDelete("/faults", ClearFaults).WithName("ClearFaults").WithSummary("Back to normal.");
        api.MapGet("/behaviour", GetBehaviour).WithName("GetBehaviour").WithSummary("Which Vexa the emulator plays.");
        api.MapPut("/behaviour", SetBehaviour).WithName("SetBehaviour")
            .WithSummary("Play Vexa dfc7c83e or 2025-09 (status steps, admission refusal) for bots started from now on.");
        api.MapGet("/stats", GetStats).WithName("GetStats").WithSummary("Requests, keys seen, transcript calls, bot starts.");
        api.MapPut("/meetings/{meetingId:long}", StageMeeting).WithName("StageMeeting")
            .WithSummary("Set what the Wholesaler holds for a meeting (created with that id if new), with no bot behind it.");
        api.MapPost("/meetings/{meetingId:long}/exit", ExitBot).WithName("ExitBot")
            .WithSummary("Make the meeting's bot leave by itself (exit callback + webhook).");
        api.MapPost("/meetings/{meetingId:long}/kill", KillBot).WithName("KillBot")
            .WithSummary("Make the meeting's bot die without calling back: the meeting stays live, its bot is gone.");
        api.MapPost("/meetings/{meetingId:long}/segments/{index:int}/retract", RetractSegment).WithName("RetractSegment")
            .WithSummary("Take a segment back (0.12: transcript_retract to subscribers; gone from the transcript).");
        api.MapPost("/ws/drop", DropLiveSockets).WithName("DropLiveSockets")
            .WithSummary("Cut every /ws connection without a close handshake, as a network failure would.");
        api.MapPost("/reset", Reset).WithName("Reset").WithSummary("Forget meetings, faults, stats and the webhook URL; play the configured Vexa again.");

        return app;
    }

    public static Ok<FaultSettings> GetFaults(FaultState faults) => TypedResults.Ok(faults.Current);

    public static Results<Ok<FaultSettings>, UnprocessableEntity<ValidationErrorBody>> SetFaults(JsonBody body, FaultState faults)
    {
        if (!EmulatorRequests.TryReadFaults(body, out var settings, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        faults.Current = settings;
        return TypedResults.Ok(settings);
    }

    public static Ok<FaultSettings> ClearFaults(FaultState faults)
    {
        faults.Current = FaultSettings.None;
        return TypedResults.Ok(faults.Current);
    }

    public static Ok<BehaviourSettings> GetBehaviour(EmulatorBehaviour behaviour) => TypedResults.Ok(behaviour.Current);

    public static Results<Ok<BehaviourSettings>, UnprocessableEntity<ValidationErrorBody>> SetBehaviour(JsonBody body, EmulatorBehaviour behaviour,
        KeyRateLimiter limiter)
    {
        if (!EmulatorRequests.TryReadBehaviour(body, behaviour.Configured, out var settings, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        behaviour.Current = settings;
        limiter.Reset(); // a new limit starts with full buckets
        return TypedResults.Ok(settings);
    }

    public static Ok<StatsResponse> GetStats(RequestStats stats) => TypedResults.Ok(stats.Snapshot());

    public static Results<Ok<MeetingResponse>, Conflict<ErrorBody>, UnprocessableEntity<ValidationErrorBody>> StageMeeting(long meetingId,
        JsonBody body, MeetingStore store, IOptions<EmulatorOptions> options)
    {
        if (!EmulatorRequests.TryReadStagedMeeting(body, options.Value.MaxSegmentsPerMeeting, out var staged, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        return store.Stage(meetingId, staged) is { } meeting
            ? TypedResults.Ok(meeting)
            : TypedResults.Conflict(new ErrorBody($"Meeting {meetingId} is of another platform or native meeting id."));
    }

    public static Results<Ok<ExitCallbackResponse>, NotFound<ErrorBody>, Conflict<ErrorBody>, UnprocessableEntity<ValidationErrorBody>>
        ExitBot(long meetingId, JsonBody body, MeetingStore store)
    {
        if (!EmulatorRequests.TryReadExitCode(body, out var exitCode, out var errors))
        {
            return TypedResults.UnprocessableEntity(errors);
        }
        return store.ExitBot(meetingId, exitCode) switch
        {
            ExitResult.Exited exited => TypedResults.Ok(new ExitCallbackResponse("callback processed", meetingId, exited.Meeting.Status)),
            ExitResult.NotRunning notRunning => TypedResults.Conflict(new ErrorBody(
                $"The bot of meeting {meetingId} is not running (status: '{notRunning.Status}').")),
            _ => TypedResults.NotFound(new ErrorBody($"Meeting with ID {meetingId} not found.")),
        };
    }

    public static Results<NoContent, NotFound<ErrorBody>> RetractSegment(long meetingId, int index, MeetingStore store) =>
        store.Retract(meetingId, index) ? TypedResults.NoContent()
            : TypedResults.NotFound(new ErrorBody($"Meeting {meetingId} has no segment {index}."));

    public static Results<Ok<MeetingResponse>, NotFound<ErrorBody>, Conflict<ErrorBody>> KillBot(long meetingId, MeetingStore store) =>
        store.KillBot(meetingId) switch
        {
            ExitResult.Exited killed => TypedResults.Ok(killed.Meeting),
            ExitResult.NotRunning notRunning => TypedResults.Conflict(new ErrorBody(
                $"The bot of meeting {meetingId} is not running (status: '{notRunning.Status}').")),
            _ => TypedResults.NotFound(new ErrorBody($"Meeting with ID {meetingId} not found.")),
        };

    public static Ok<MessageResponse> DropLiveSockets(LiveSessionFactory sessions) =>
        TypedResults.Ok(new MessageResponse($"Dropped {sessions.DropAll()} /ws connection(s)."));

    public static Ok<MessageResponse> Reset([AsParameters] ResetServices services)
    {
        services.Scheduler.Clear();
        services.Store.Reset();
        services.Faults.Current = FaultSettings.None;
        services.Stats.Reset();
        services.User.Reset();
        services.Behaviour.Reset();
        services.Limiter.Reset();
        services.GenerationLimiter.Reset();
        return TypedResults.Ok(new MessageResponse("Emulator state reset."));
    }
}

public sealed record ResetServices(MeetingStore Store, BotScheduler Scheduler, FaultState Faults, RequestStats Stats, SystemUser User,
    EmulatorBehaviour Behaviour, KeyRateLimiter Limiter, GenerationLimiter GenerationLimiter);
