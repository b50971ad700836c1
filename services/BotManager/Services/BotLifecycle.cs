using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Observability;
using VexaService.Wholesaler;

namespace VexaService.BotManager.Services;

/// <summary>
/// Starts, stops and reconfigures an end user's bots through the Wholesaler.
/// Crash-safe ordering for a start: (1) our row is committed as <c>requested</c> under the user's quota lock,
/// (2) the Wholesaler is called, (3) the row is completed with the Wholesaler's meeting id — or deleted when
/// the Wholesaler did not start a bot. A crash between (2) and (3) is healed by <see cref="BotReconciler"/>.
/// </summary>
public sealed class BotLifecycle(VexaDbContext db, WholesalerClient wholesaler, TranscriptRouteCache transcriptRoutes,
    RunningBots runningBots, MeetingStatusWriter statuses,
    VexaMetrics metrics, ILogger<BotLifecycle> logger)
{
    public const string MeetingTaken = "A bot is already active or requested for this platform and meeting ID.";
    public const string AtCapacity = "The meeting service is at capacity right now. Please retry later.";
    public const string CannotReconfigure = "The meeting service in use cannot change a running bot's language or task. "
        + "Stop the bot and start a new one with the settings you want.";

    public async Task<IResult> StartAsync(long userId, BotRequest request, CancellationToken ct)
    {
        var (meeting, refusal) = await ReserveAsync(userId, request, ct);
        if (refusal is not null)
        {
            metrics.BotRefused(refusal is IStatusCodeHttpResult { StatusCode: StatusCodes.Status403Forbidden } ? "quota" : "duplicate");
            return refusal;
        }
        // The user's transcript route for this native id now names the new meeting, not a cached completed one.
        await transcriptRoutes.InvalidateAsync(userId, request.Platform, request.NativeMeetingId);

        WholesalerResponse answer;
        try
        {
            // Not the request's token: a client that hangs up must not abandon a start half-way (bot running, row not
            // completed); the Wholesaler call is bounded by the client's own timeouts instead.
            answer = await wholesaler.StartBotAsync(request.ToWholesalerBody(), CancellationToken.None);
        }
        catch (WholesalerUnavailableException)
        {
            // Not known to have started: free the slot so the user can retry. Should the Wholesaler have started
            // the bot after all, the reconciler finds it unowned and stops it.
            await ReleaseAsync(meeting!);
            await runningBots.InvalidateAsync();
            metrics.BotRefused("wholesaler");
            throw;
        }
        await runningBots.InvalidateAsync(); // the user sees the bot they just started in their next GET /bots/status

        if (answer.Status == StatusCodes.Status201Created && answer.Body is { } started)
        {
            metrics.BotStarted();
            return TypedResults.Created($"/meetings/{meeting!.Id}", (await CompleteAsync(meeting, started, answer.Issuer)).ToResponse());
        }
        if (answer.Status == StatusCodes.Status409Conflict && await AdoptAsync(meeting!, ct) is { } adopted)
        {
            metrics.BotStarted();
            return TypedResults.Created($"/meetings/{meeting!.Id}", adopted.ToResponse());
        }

        await ReleaseAsync(meeting!);
        logger.LogWarning("Wholesaler refused a bot start with {Status}: {Detail}", answer.Status, answer.Detail);
        metrics.BotRefused(answer.Status == StatusCodes.Status409Conflict ? "duplicate" : "wholesaler");
        return answer.Status switch
        {
            StatusCodes.Status409Conflict => TypedResults.Conflict(new ErrorBody(MeetingTaken)),
            // The Wholesaler's own concurrency limit for the system user: capacity, not the end user's quota.
            StatusCodes.Status403Forbidden => TypedResults.Json(new ErrorBody(AtCapacity), statusCode: StatusCodes.Status503ServiceUnavailable),
            StatusCodes.Status422UnprocessableEntity => TypedResults.UnprocessableEntity(new ErrorBody(BotRequest.InvalidMeetingId)),
            _ => TypedResults.Json(new ErrorBody("The meeting service refused the request. Please retry later."), statusCode: StatusCodes.Status502BadGateway),
        };
    }

    /// <summary>
    /// Step 1: under a row lock on the user (so concurrent requests on any replica queue here), check the quota
    /// and the user's own duplicate, then commit a <c>requested</c> row. The partial unique index refuses a second
    /// live bot for the same meeting from any user. The meeting's lock (<see cref="MeetingLock"/>) keeps the
    /// reservation out of a deletion's window: a deletion sees either no start or this live row.
    /// </summary>
    private async Task<(Meeting?, IResult?)> ReserveAsync(long userId, BotRequest request, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var limit = await db.Database
                    .SqlQuery<int>($"SELECT max_concurrent_bots AS \"Value\" FROM users WHERE id = {userId} FOR UPDATE")
                    .SingleOrDefaultAsync(ct);
                // Taken after the user's lock, never before it (deletions take only this one): no deadlock.
                await db.Database.LockMeetingAsync(request.Platform, request.NativeMeetingId, ct);
                var live = await db.Meetings
                    .Where(m => m.UserId == userId && !MeetingStatus.Final.Contains(m.Status))
                    .Select(m => new { m.Id, m.Platform, m.NativeMeetingId })
                    .ToListAsync(ct);
                if (live.FirstOrDefault(m => m.Platform == request.Platform && m.NativeMeetingId == request.NativeMeetingId) is { } own)
                {
                    return ((Meeting?)null, (IResult?)TypedResults.Conflict(new ErrorBody(
                        $"An active or requested meeting already exists for this platform and meeting ID. Meeting ID: {own.Id}")));
                }
                if (live.Count >= limit)
                {
                    return (null, TypedResults.Json(new ErrorBody($"User has reached the maximum concurrent bot limit ({limit})."),
                        statusCode: StatusCodes.Status403Forbidden));
                }
                var meeting = new Meeting
                {
                    UserId = userId,
                    Platform = request.Platform,
                    NativeMeetingId = request.NativeMeetingId,
                    Status = MeetingStatus.Requested,
                    // Ours, not the Wholesaler's (its data belongs to its system user): empty, save the passcode, which
                    // Vexa keeps in the meeting's data (bot-manager, September 2025).
                    Data = request.Passcode is null ? "{}" : new JsonObject { ["passcode"] = request.Passcode }.ToJsonString(),
                    CreatedAt = DateTime.UtcNow,
                    UpdatedAt = DateTime.UtcNow,
                };
                db.Meetings.Add(meeting);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return (meeting, null);
            });
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return (null, TypedResults.Conflict(new ErrorBody(MeetingTaken))); // another user holds it: say nothing of whom
        }
    }

    /// <param name="issuer">Who answered with <paramref name="started"/>: the issuer of its id.</param>
    private async Task<Meeting> CompleteAsync(Meeting meeting, JsonNode started, string issuer)
    {
        // Completing must not be abandoned half-way because the client went away.
        await statuses.ApplyAsync(meeting, StatusTransition.Wholesaler, row => WholesalerMeetingJson.Adopt(started, issuer, row),
            CancellationToken.None);
        return meeting;
    }

    /// <summary>
    /// The Wholesaler already runs a bot for this meeting and no user of ours owns it (our unique index guarantees
    /// that): a start whose completion was lost. The retrying user gets it.
    /// </summary>
    private async Task<Meeting?> AdoptAsync(Meeting meeting, CancellationToken ct)
    {
        var orphan = await new OrphanFinder(db, wholesaler).FindUnownedLiveAsync(meeting.Platform, meeting.NativeMeetingId, ct);
        return orphan is null ? null : await CompleteAsync(meeting, orphan.Meeting, orphan.Issuer);
    }

    private async Task ReleaseAsync(Meeting meeting)
    {
        db.Meetings.Remove(meeting);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    public async Task<IResult> StopAsync(long userId, string platform, string nativeId, CancellationToken ct)
    {
        var meeting = await NewestAsync(userId, platform, nativeId, ct);
        if (meeting is null)
        {
            return TypedResults.NotFound(new ErrorBody("No meeting found to stop."));
        }
        if (MeetingStatus.IsFinal(meeting.Status) || meeting.Status == MeetingStatus.Stopping)
        {
            return TypedResults.Accepted((string?)null, new MessageResponse($"Meeting already {meeting.Status}."));
        }
        if (meeting.WholesalerMeetingId is null)
        {
            return TypedResults.Conflict(new ErrorBody("The bot is still starting. Please retry in a moment."));
        }

        // Stops act on the Wholesaler's newest meeting of this native id. Sent to a Wholesaler that did not issue ours,
        // it can stop no other user's bot: while our meeting is live, no other user of ours can hold this native id.
        var answer = await wholesaler.StopBotAsync(platform, nativeId, ct);
        if (answer.Status == StatusCodes.Status202Accepted)
        {
            await runningBots.InvalidateAsync();
        }
        if (meeting.WholesalerIssuer != answer.Issuer)
        {
            // Mapped by a Wholesaler we no longer talk to (another address, or an instance that lost its state):
            // its bot is gone with it. The slot and the native id are freed.
            await statuses.ApplyAsync(meeting, StatusTransition.Wholesaler, WholesalerMeetingJson.MarkFailed, CancellationToken.None);
            return TypedResults.Accepted((string?)null, new MessageResponse($"Meeting already {meeting.Status}."));
        }
        if (answer.Status == StatusCodes.Status202Accepted)
        {
            // The Wholesaler's own webhooks (stopping, then the end) may have moved the row since we read it: never
            // take it back from what they reported. The owner's stop, as the status_change event says.
            await statuses.ApplyAsync(meeting, StatusTransition.User, row =>
            {
                var rank = MeetingStatus.Rank(row.Status);
                if (!MeetingStatus.IsLive(row.Status) || (rank is not null && rank >= MeetingStatus.Rank(MeetingStatus.Stopping)))
                {
                    return false;
                }
                row.Status = MeetingStatus.Stopping;
                row.UpdatedAt = DateTime.UtcNow;
                return true;
            }, CancellationToken.None);
            return TypedResults.Accepted((string?)null, new MessageResponse("Stop request accepted and is being processed."));
        }
        // Not active at the Wholesaler any more (it left by itself): take its final state.
        var current = await wholesaler.GetMeetingAsync(meeting.Platform, meeting.NativeMeetingId, meeting.WholesalerMeetingId, ct);
        if (current is not null && current.Issuer == meeting.WholesalerIssuer)
        {
            await statuses.ApplyAsync(meeting, StatusTransition.Wholesaler, row => WholesalerMeetingJson.Follow(current.Meeting, row),
                CancellationToken.None);
        }
        return TypedResults.Accepted((string?)null, new MessageResponse($"Meeting already {meeting.Status}."));
    }

    public async Task<IResult> ReconfigureAsync(long userId, string platform, string nativeId, JsonObject config, CancellationToken ct)
    {
        var meeting = await NewestAsync(userId, platform, nativeId, ct);
        if (meeting is null)
        {
            return TypedResults.NotFound(new ErrorBody($"No active meeting found for platform {platform} and meeting ID {nativeId}."));
        }
        if (meeting.Status != MeetingStatus.Active)
        {
            return TypedResults.Conflict(new ErrorBody($"Meeting found but is not active (status: '{meeting.Status}'). Cannot reconfigure."));
        }
        if (!await wholesaler.CanReconfigureAsync(ct))
        {
            // Vexa 0.12 has no way to change a running bot: say so, not "no such meeting" (its own 404).
            return TypedResults.Conflict(new ErrorBody(CannotReconfigure));
        }
        var answer = await wholesaler.ReconfigureBotAsync(platform, nativeId, config, ct);
        return answer.Status == StatusCodes.Status202Accepted
            ? TypedResults.Accepted((string?)null, new MessageResponse("Reconfiguration request accepted and sent to the bot."))
            : TypedResults.Conflict(new ErrorBody($"Meeting found but is not active (status: '{meeting.Status}'). Cannot reconfigure."));
    }

    private Task<Meeting?> NewestAsync(long userId, string platform, string nativeId, CancellationToken ct) =>
        db.Meetings
            .Where(m => m.UserId == userId && m.Platform == platform && m.NativeMeetingId == nativeId)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .FirstOrDefaultAsync(ct);
}
