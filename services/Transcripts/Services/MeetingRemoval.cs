using Microsoft.EntityFrameworkCore;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.Transcripts.Services;

/// <summary>
/// Deletes the caller's newest finished meeting on a native id and, only where that cannot touch anyone else's,
/// its Wholesaler copy. The Wholesaler deletes by native id its <em>newest</em> meeting, so everything happens under
/// the meeting's lock (<see cref="MeetingLock"/>, which bot starts take too) in one transaction: the meeting is read
/// again there, the Wholesaler is asked only when its newest meeting on that id is exactly ours, finished, and no
/// row of ours on that id is live (a start in flight would make a newer one), and our row is deleted in the same
/// transaction. Anything ambiguous leaves the Wholesaler's copy where it is: unreachable by any user of ours.
/// </summary>
public sealed class MeetingRemoval(VexaDbContext db, WholesalerClient wholesaler, TranscriptCopies transcripts,
    ILogger<MeetingRemoval> logger)
{
    public async Task<IResult> RemoveAsync(long userId, string platform, string nativeId, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var (removed, refusal) = await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Database.LockMeetingAsync(platform, nativeId, ct);
            var meeting = await db.Meetings.AsNoTracking()
                .Where(m => m.UserId == userId && m.Platform == platform && m.NativeMeetingId == nativeId)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
                .FirstOrDefaultAsync(ct);
            if (meeting is null)
            {
                return ((Meeting?)null, (IResult?)TypedResults.NotFound(new ErrorBody(MeetingStore.NotFound(platform, nativeId))));
            }
            if (!MeetingStatus.IsFinal(meeting.Status))
            {
                return (null, TypedResults.Conflict(new ErrorBody(
                    $"Meeting is not finished (status: '{meeting.Status}'). Stop the bot first, then delete the meeting.")));
            }
            await DeleteAtWholesalerIfUnambiguousAsync(meeting, ct);
            // From here on the client going away must not leave the Wholesaler's copy deleted and ours kept.
            if (await db.Meetings.Where(m => m.Id == meeting.Id).ExecuteDeleteAsync(CancellationToken.None) == 0)
            {
                return (null, TypedResults.NotFound(new ErrorBody(MeetingStore.NotFound(platform, nativeId)))); // gone meanwhile
            }
            await MeetingOwnerChanges.NoteAsync(db, meeting.UserId);
            await tx.CommitAsync(CancellationToken.None);
            return (meeting, null);
        });
        if (refusal is not null)
        {
            return refusal;
        }
        await transcripts.DropAsync(removed!);
        return TypedResults.Ok(new MessageResponse($"Meeting {platform}/{nativeId} and all its transcripts have been deleted"));
    }

    private async Task DeleteAtWholesalerIfUnambiguousAsync(Meeting meeting, CancellationToken ct)
    {
        if (meeting.WholesalerMeetingId is not { } wholesalerId)
        {
            return;
        }
        var liveOnSameId = await db.Meetings.AnyAsync(m => m.Platform == meeting.Platform && m.NativeMeetingId == meeting.NativeMeetingId
            && !MeetingStatus.Final.Contains(m.Status), ct);
        if (liveOnSameId)
        {
            logger.LogInformation("Meeting {MeetingId}: a bot on the same native id is live; the Wholesaler's copy is left there", meeting.Id);
            return;
        }
        var newest = await wholesaler.GetMeetingAsync(meeting.Platform, meeting.NativeMeetingId, null, ct);
        // The same id from another issuer (another Wholesaler, or one that restarted) names another meeting.
        if (WholesalerMeetingJson.Id(newest?.Meeting) != wholesalerId || newest!.Issuer != meeting.WholesalerIssuer
            || WholesalerMeetingJson.Status(newest.Meeting) is not { } status || !MeetingStatus.IsFinal(status))
        {
            logger.LogInformation("Meeting {MeetingId}: the Wholesaler's newest meeting on this native id is not our finished copy; left there", meeting.Id);
            return;
        }
        await wholesaler.DeleteMeetingAsync(meeting.Platform, meeting.NativeMeetingId, CancellationToken.None);
    }
}
