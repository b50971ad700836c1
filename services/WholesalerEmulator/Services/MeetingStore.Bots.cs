using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Validation;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Services;

public abstract record StartBotResult
{
    public sealed record Started(MeetingResponse Meeting) : StartBotResult;
    public sealed record AlreadyRunning(long MeetingId) : StartBotResult;
    public sealed record LimitReached(int Limit) : StartBotResult;
}

public enum ReconfigureResult { Accepted, NotActive, NotFound }

public enum StopResult { Stopping, AlreadyFinal, NotFound }

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
        var play = behaviour.Current;
        lock (_gate)
        {
            var now = Now();
            var existing = Newest(request.Platform, request.NativeMeetingId,
                m => !MeetingStatus.IsFinal(m.Status));
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

            meeting = Insert(request.Platform, request.NativeMeetingId, now, play);
            if (play.PushesStatuses && !string.IsNullOrEmpty(request.Passcode))
            {
                meeting.Data["passcode"] = request.Passcode; // 2025-09 keeps it in the meeting's data
            }
            // The limit counts running containers (stopping ones included); the rejected row stays as "error".
            if (_meetings.Count(m => m.ContainerRunning) >= Options.MaxConcurrentBots)
            {
                meeting.Status = MeetingStatus.Error;
                Touch(meeting, now);
                return new StartBotResult.LimitReached(Options.MaxConcurrentBots);
            }

            meeting.BotContainerId = DockerNames.NewContainerId();
            meeting.ContainerName = DockerNames.ContainerName(meeting.Id);
            if (!play.PushesStatuses)
            {
                meeting.SessionStart = now;
                meeting.StartTime = now;
                meeting.Status = MeetingStatus.Active;
            }
            // 2025-09: the bot reports its own progress, so the answer says requested (its container is up).
            Touch(meeting, now);
            response = ToResponse(meeting);
        }

        stats.CountBotStart();
        var started = VexaDateTime.Truncate(time.GetUtcNow().UtcDateTime);
        if (!meeting.BotCanJoin)
        {
            // zoom, teams and Google Meet ids without a URL: the bot exits with code 0 as soon as it is up.
            scheduler.Schedule(started.AddMilliseconds(Options.BotJoinDelayMs), () => Exit(meeting, 0));
        }
        else if (play.PushesStatuses)
        {
            var step = play.StatusStepMs;
            scheduler.Schedule(started.AddMilliseconds(step), () => Advance(meeting, MeetingStatus.Requested, MeetingStatus.Joining));
            scheduler.Schedule(started.AddMilliseconds(2 * step), () => Advance(meeting, MeetingStatus.Joining, MeetingStatus.AwaitingAdmission));
            scheduler.Schedule(started.AddMilliseconds(3 * step), play.RefuseAdmission
                ? () => Exit(meeting, 2, MeetingStatus.AwaitingAdmission, "admission_failed")
                : () => Advance(meeting, MeetingStatus.AwaitingAdmission, MeetingStatus.Active));
        }
        return new StartBotResult.Started(response);
    }

    /// <summary>2025-09: the bot's callback moves its meeting one step on its way in, unless a stop came first.</summary>
    private void Advance(Meeting meeting, string from, string to)
    {
        StatusChangeEvent change;
        lock (_gate)
        {
            if (meeting.Deleted || meeting.Status != from)
            {
                return;
            }
            var now = Now();
            if (to == MeetingStatus.Active)
            {
                meeting.SessionStart = now; // transcription starts once the bot is in
                meeting.StartTime = now;
            }
            meeting.Status = to;
            Touch(meeting, now);
            change = StatusChanged(meeting, from, null, "bot_callback", now);
        }
        webhooks.SendStatusChange(change);
    }

    private StatusChangeEvent StatusChanged(Meeting meeting, string from, string? reason, string source, DateTime now) =>
        new(StatusChangeEvent.Type, ToResponse(meeting), new StatusChange(from, meeting.Status, reason, VexaDateTime.Naive(now), source));

    /// <summary>
    /// DELETE /bots. dfc7c83e: only the newest <c>active</c> meeting. 2025-09: the newest meeting in any live status, and
    /// a newest meeting already final is reported as such. The meeting is <c>stopping</c> until the bot has left.
    /// </summary>
    public StopResult StopBot(string platform, string nativeId, out string? finalStatus)
    {
        finalStatus = null;
        StatusChangeEvent? change = null;
        lock (_gate)
        {
            var play = behaviour.Current;
            var meeting = play.PushesStatuses
                ? Newest(platform, nativeId)
                : Newest(platform, nativeId, m => m.Status == MeetingStatus.Active);
            if (meeting is null)
            {
                return StopResult.NotFound;
            }
            if (!meeting.ContainerRunning)
            {
                finalStatus = meeting.Status;
                return StopResult.AlreadyFinal;
            }
            if (meeting.Status != MeetingStatus.Stopping)
            {
                var now = Now();
                var from = meeting.Status;
                meeting.Status = MeetingStatus.Stopping;
                meeting.ProducingUntil ??= now;
                Touch(meeting, now);
                scheduler.Schedule(now.AddMilliseconds(Options.StopDelayMs), () => Exit(meeting, 0));
                if (play.PushesStatuses)
                {
                    change = StatusChanged(meeting, from, "user_request", "user", now);
                }
            }
        }
        if (change is not null)
        {
            webhooks.SendStatusChange(change);
        }
        return StopResult.Stopping;
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
                        DockerNames.UpStatus(now - meeting.CreatedAt),
                        VexaDateTime.WithOffset(meeting.CreatedAt),
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

    /// <summary>The bot's container dies without calling back: the meeting stays as it is, live, with no bot running.</summary>
    public ExitResult KillBot(long meetingId)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(meetingId, out var meeting))
            {
                return new ExitResult.NotFound();
            }
            if (!meeting.ContainerRunning)
            {
                return new ExitResult.NotRunning(meeting.Status);
            }
            meeting.ContainerDied = true;
            meeting.ProducingUntil ??= Now();
            return new ExitResult.Exited(ToResponse(meeting));
        }
    }

    /// <summary>
    /// The exit callback: <c>completed</c> for code 0, else <c>failed</c>, overwriting the status; then the post-meeting
    /// tasks (aggregation into an empty <c>data</c>, then the webhook, fired once). Nothing happens if the bot is gone,
    /// or, for a bot refused at the door, if it is no longer waiting there. Playing 2025-09, the change is also pushed.
    /// </summary>
    private MeetingResponse? Exit(Meeting meeting, int exitCode, string? onlyFrom = null, string? reason = null)
    {
        MeetingResponse payload;
        StatusChangeEvent? change = null;
        lock (_gate)
        {
            if (meeting.Deleted || !meeting.ContainerRunning || (onlyFrom is not null && meeting.Status != onlyFrom))
            {
                return null;
            }
            var now = Now();
            var from = meeting.Status;
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
            if (behaviour.Current.PushesStatuses)
            {
                change = StatusChanged(meeting, from, reason ?? (exitCode == 0 ? "self_initiated_leave" : "bot_error"), "bot_callback", now);
            }
        }
        if (change is not null)
        {
            webhooks.SendStatusChange(change);
        }
        webhooks.Send(payload);
        return payload;
    }
}
