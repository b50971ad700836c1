using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Validation;
using VexaService.Shared.Json;

namespace VexaService.WholesalerEmulator.Services;

public abstract record StartBotResult
{
    public sealed record Started(MeetingResponse Meeting) : StartBotResult;
    public sealed record AlreadyRunning(long MeetingId) : StartBotResult;
    public sealed record LimitReached(int Limit) : StartBotResult;
}

public enum ReconfigureResult { Accepted, NotActive, NotFound }

public abstract record ExitResult
{
    public sealed record Exited(MeetingResponse Meeting) : ExitResult;
    public sealed record NotRunning(string Status) : ExitResult;
    public sealed record NotFound : ExitResult;
}

/// <summary>bot-manager: POST/DELETE /bots, PUT config, GET /bots/status and the bot's exit (contract 4.1-4.4, 7, 8).</summary>
public sealed partial class MeetingStore
{
    public StartBotResult StartBot(MeetingCreate request)
    {
        Meeting meeting;
        MeetingResponse response;
        lock (_gate)
        {
            var now = Now();
            var existing = Newest(request.Platform, request.NativeMeetingId,
                m => m.Status is MeetingStatus.Requested or MeetingStatus.Active or MeetingStatus.Stopping);
            if (existing is not null)
            {
                if (existing.ContainerRunning)
                {
                    return new StartBotResult.AlreadyRunning(existing.Id);
                }
                existing.Status = MeetingStatus.Failed;
                existing.EndTime = now;
                existing.ProducingUntil ??= now;
                Touch(existing, now);
            }

            meeting = Insert(request.Platform, request.NativeMeetingId, now);
            // The limit counts running containers (stopping ones included); the rejected row stays as "error".
            if (_meetings.Count(m => m.ContainerRunning) >= Options.MaxConcurrentBots)
            {
                meeting.Status = MeetingStatus.Error;
                Touch(meeting, now);
                return new StartBotResult.LimitReached(Options.MaxConcurrentBots);
            }

            meeting.BotContainerId = DockerNames.NewContainerId();
            meeting.ContainerName = DockerNames.ContainerName(meeting.Id);
            meeting.SessionStart = now;
            meeting.StartTime = now;
            meeting.Status = MeetingStatus.Active;
            Touch(meeting, now);
            response = ToResponse(meeting);
        }

        stats.CountBotStart();
        if (!meeting.BotCanJoin)
        {
            // zoom, teams and Google Meet ids without a URL: the bot exits with code 0 as soon as it is up.
            scheduler.Schedule(meeting.SessionStart!.Value.AddMilliseconds(Options.BotJoinDelayMs), () => Exit(meeting, 0));
        }
        return new StartBotResult.Started(response);
    }

    /// <summary>DELETE /bots: only the newest <c>active</c> meeting; it is <c>stopping</c> until the bot has left.</summary>
    public bool StopBot(string platform, string nativeId)
    {
        lock (_gate)
        {
            var meeting = Newest(platform, nativeId, m => m.Status == MeetingStatus.Active);
            if (meeting is null)
            {
                return false;
            }
            var now = Now();
            meeting.Status = MeetingStatus.Stopping;
            meeting.ProducingUntil ??= now;
            Touch(meeting, now);
            scheduler.Schedule(now.AddMilliseconds(Options.StopDelayMs), () => Exit(meeting, 0));
            return true;
        }
    }

    public ReconfigureResult Reconfigure(string platform, string nativeId, out string? newestStatus)
    {
        lock (_gate)
        {
            newestStatus = Newest(platform, nativeId)?.Status;
            if (Newest(platform, nativeId, m => m.Status == MeetingStatus.Active) is not null)
            {
                return ReconfigureResult.Accepted;
            }
            return newestStatus is null ? ReconfigureResult.NotFound : ReconfigureResult.NotActive;
        }
    }

    public RunningBotsResponse RunningBots()
    {
        lock (_gate)
        {
            var now = Now();
            var bots = new List<BotStatus>();
            for (var i = _meetings.Count - 1; i >= 0; i--)
            {
                var meeting = _meetings[i];
                if (meeting.ContainerRunning)
                {
                    bots.Add(new BotStatus(
                        meeting.BotContainerId,
                        meeting.ContainerName,
                        meeting.Platform,
                        meeting.NativeMeetingId,
                        DockerNames.UpStatus(now - meeting.SessionStart!.Value),
                        VexaDateTime.WithOffset(meeting.SessionStart!.Value),
                        new Dictionary<string, string> { ["vexa.user_id"] = Options.SystemUserId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        meeting.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
            return new RunningBotsResponse(bots);
        }
    }

    /// <summary>The bot leaves by itself (emulator control endpoint), as its exit callback reports it.</summary>
    public ExitResult ExitBot(long meetingId, int exitCode)
    {
        Meeting? meeting;
        lock (_gate)
        {
            if (!_byId.TryGetValue(meetingId, out meeting))
            {
                return new ExitResult.NotFound();
            }
            if (!meeting.ContainerRunning)
            {
                return new ExitResult.NotRunning(meeting.Status);
            }
        }
        return Exit(meeting, exitCode) is { } exited ? new ExitResult.Exited(exited) : new ExitResult.NotRunning(meeting.Status);
    }

    /// <summary>
    /// The exit callback: <c>completed</c> for code 0, else <c>failed</c>, overwriting the status; then the post-meeting
    /// tasks (aggregation into an empty <c>data</c>, then the webhook, fired once). Nothing happens if the bot is gone.
    /// </summary>
    private MeetingResponse? Exit(Meeting meeting, int exitCode)
    {
        MeetingResponse payload;
        lock (_gate)
        {
            if (meeting.Deleted || !meeting.ContainerRunning)
            {
                return null;
            }
            var now = Now();
            meeting.Status = exitCode == 0 ? MeetingStatus.Completed : MeetingStatus.Failed;
            meeting.EndTime = now;
            meeting.ProducingUntil ??= now;
            if (meeting.Data.Count == 0)
            {
                var (participants, languages) = transcripts.Aggregate(meeting, now);
                if (participants.Count > 0 || languages.Count > 0)
                {
                    meeting.Data["participants"] = new JsonArray([.. participants.Select(p => JsonValue.Create(p))]);
                    meeting.Data["languages"] = new JsonArray([.. languages.Select(l => JsonValue.Create(l))]);
                }
            }
            Touch(meeting, now);
            payload = ToResponse(meeting);
        }
        webhooks.Send(payload);
        return payload;
    }
}
