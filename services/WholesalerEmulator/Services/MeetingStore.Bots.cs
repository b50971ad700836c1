using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Validation;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Services;

public abstract record StartBotResult
{
    /// <param name="Meeting">The answer, in the shape of the generation that started it.</param>
    public sealed record Started(JsonObject Meeting) : StartBotResult;
    public sealed record AlreadyRunning(long MeetingId) : StartBotResult;
    public sealed record LimitReached(int Running, int Limit) : StartBotResult;
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
        JsonObject response;
        var play = behaviour.Current;
        var generation = play.Generation;
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

            // The limit counts running containers (stopping ones included); 2025-09 keeps the rejected row as "error",
            // 0.12 and 1.5 refuse before writing one.
            var running = _meetings.Count(m => m.ContainerRunning);
            if (generation.HasGatewayAuth && running >= Options.MaxConcurrentBots)
            {
                return new StartBotResult.LimitReached(running, Options.MaxConcurrentBots);
            }
            meeting = Insert(request.Platform, request.NativeMeetingId, now, play);
            if (generation.PushesStatuses && !string.IsNullOrEmpty(request.Passcode))
            {
                meeting.Data["passcode"] = request.Passcode; // 2025-09 keeps it in the meeting's data
            }
            if (running >= Options.MaxConcurrentBots)
            {
                meeting.Status = MeetingStatus.Error;
                Touch(meeting, now);
                return new StartBotResult.LimitReached(running, Options.MaxConcurrentBots);
            }

            meeting.BotContainerId = DockerNames.NewContainerId();
            meeting.ContainerName = DockerNames.ContainerName(meeting.Id);
            if (generation.Webhooks != Generations.WebhookStyle.Legacy)
            {
                meeting.ConnectionId = Guid.NewGuid().ToString();
                meeting.Webhook = user.WebhookTarget; // captured at spawn: a later PUT /user/webhook changes later bots only
            }
            if (!generation.PushesStatuses)
            {
                meeting.SessionStart = now;
                meeting.StartTime = now;
                meeting.Status = MeetingStatus.Active;
            }
            // 2025-09: the bot reports its own progress, so the answer says requested (its container is up).
            Touch(meeting, now);
            response = Shaped(meeting, generation);
        }

        stats.CountBotStart();
        var started = VexaDateTime.Truncate(time.GetUtcNow().UtcDateTime);
        if (!meeting.BotCanJoin)
        {
            // zoom, teams and Google Meet ids without a URL: the bot exits with code 0 as soon as it is up.
            scheduler.Schedule(started.AddMilliseconds(Options.BotJoinDelayMs), () => Exit(meeting, 0));
        }
        else if (generation.PushesStatuses)
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

    /// <summary>2025-09 on: the bot's callback moves its meeting one step on its way in, unless a stop came first.</summary>
    private void Advance(Meeting meeting, string from, string to)
    {
        Action send;
        lock (_gate)
        {
            if (meeting.Deleted || meeting.Status != from || meeting.StopRequested)
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
            send = Changed(meeting, from, null, "bot_callback", now);
        }
        send();
    }

    /// <summary>The webhooks the current generation sends for this change, to be sent outside the lock.</summary>
    private Action Changed(Meeting meeting, string from, string? reason, string source, DateTime now, bool completion = false)
    {
        var generation = behaviour.Current.Generation;
        if (generation.Webhooks == Generations.WebhookStyle.Legacy)
        {
            StatusChangeEvent? change = generation.PushesStatuses
                ? new(StatusChangeEvent.Type, ToResponse(meeting), new StatusChange(from, meeting.Status, reason, VexaDateTime.Naive(now), source))
                : null;
            var payload = completion ? ToResponse(meeting) : null;
            return () =>
            {
                if (change is not null)
                {
                    webhooks.SendStatusChange(change);
                }
                if (payload is not null)
                {
                    webhooks.Send(payload);
                }
            };
        }
        var v1 = new V1Change(generation, meeting.Webhook, Shaped(meeting, generation), meeting.ConnectionId, from, meeting.Status, reason, source,
            generation.Time(now), meeting.CompletionReason, meeting.FailureStage);
        return () => webhooks.SendV1(v1);
    }

    /// <summary>
    /// DELETE /bots. dfc7c83e: only the newest <c>active</c> meeting. 2025-09 and 1.5: the newest meeting in any live
    /// status, and a newest meeting already final is reported as such. 0.12: the live meeting not asked to stop yet
    /// (none: not found), which becomes <c>stopping</c> only if its bot was in. The meeting is <c>stopping</c> until the
    /// bot has left.
    /// </summary>
    public StopResult StopBot(string platform, string nativeId, out string? finalStatus, out long? meetingId)
    {
        finalStatus = null;
        meetingId = null;
        Action? send = null;
        lock (_gate)
        {
            var generation = behaviour.Current.Generation;
            var meeting = generation.StopAnswersWithRow
                ? Newest(platform, nativeId, m => !MeetingStatus.IsFinal(m.Status) && !m.StopRequested)
                : generation.PushesStatuses
                    ? Newest(platform, nativeId)
                    : Newest(platform, nativeId, m => m.Status == MeetingStatus.Active);
            if (meeting is null)
            {
                return StopResult.NotFound;
            }
            meetingId = meeting.Id;
            if (!meeting.ContainerRunning)
            {
                finalStatus = meeting.Status;
                return StopResult.AlreadyFinal;
            }
            if (meeting.Status != MeetingStatus.Stopping && !meeting.StopRequested)
            {
                var now = Now();
                var from = meeting.Status;
                meeting.StopRequested = true;
                meeting.CompletionReason = "stopped";
                if (!generation.CompletedImpliesAdmitted || from is MeetingStatus.Active or MeetingStatus.NeedsHelp)
                {
                    meeting.Status = MeetingStatus.Stopping;
                }
                meeting.ProducingUntil ??= now;
                Touch(meeting, now);
                scheduler.Schedule(now.AddMilliseconds(Options.StopDelayMs), () => Exit(meeting, 0));
                if (generation.PushesStatuses && generation.Webhooks != Generations.WebhookStyle.V1PerAdvance)
                {
                    send = Changed(meeting, from, "user_request", "user", now); // 0.12: a user's stop is no bot advance
                }
            }
        }
        send?.Invoke();
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

    /// <summary>0.12's <c>GET /bots/status</c>: the rows of meetings whose bot runs, newest first; <c>needs_help</c> is
    /// not among Vexa's running statuses, so those rows are missing.</summary>
    public JsonArray RunningMeetingRows()
    {
        lock (_gate)
        {
            var generation = behaviour.Current.Generation;
            var rows = new JsonArray();
            for (var i = _meetings.Count - 1; i >= 0; i--)
            {
                if (_meetings[i] is { ContainerRunning: true } meeting && meeting.Status != MeetingStatus.NeedsHelp)
                {
                    rows.Add(Shaped(meeting, generation));
                }
            }
            return rows;
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
        Action send;
        lock (_gate)
        {
            if (meeting.Deleted || !meeting.ContainerRunning || (onlyFrom is not null && meeting.Status != onlyFrom))
            {
                return null;
            }
            var generation = behaviour.Current.Generation;
            var now = Now();
            var from = meeting.Status;
            var admitted = meeting.StartTime is not null;
            meeting.Status = exitCode == 0 && (admitted || !generation.CompletedImpliesAdmitted) ? MeetingStatus.Completed : MeetingStatus.Failed;
            meeting.CompletionReason ??= reason == "admission_failed" ? "awaiting_admission_rejected" : exitCode == 0 ? "left_alone" : "join_failure";
            if (meeting.Status == MeetingStatus.Failed)
            {
                meeting.FailureStage = admitted ? MeetingStatus.Active
                    : from is MeetingStatus.Stopping or MeetingStatus.NeedsHelp ? MeetingStatus.AwaitingAdmission : from;
            }
            meeting.EndTime = now;
            meeting.ProducingUntil ??= now;
            if (meeting.Data.Count == 0 || generation.Webhooks != Generations.WebhookStyle.Legacy)
            {
                var (participants, languages) = transcripts.Aggregate(meeting, now);
                if ((participants.Count > 0 || languages.Count > 0) && meeting.Data["participants"] is null)
                {
                    meeting.Data["participants"] = new JsonArray([.. participants.Select(p => JsonValue.Create(p))]);
                    meeting.Data["languages"] = new JsonArray([.. languages.Select(l => JsonValue.Create(l))]);
                }
            }
            Touch(meeting, now);
            payload = ToResponse(meeting);
            send = Changed(meeting, from, reason ?? (exitCode == 0 ? "self_initiated_leave" : "bot_error"), "bot_callback", now, completion: true);
        }
        send();
        return payload;
    }
}
