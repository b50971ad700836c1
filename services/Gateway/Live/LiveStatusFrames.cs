using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// What a <c>meeting.status</c> frame of the Wholesaler's <c>/ws</c> does to our meeting: it moves it (through
/// <see cref="MeetingFollower"/>, like the Wholesaler's status webhooks: a push path that works without a public
/// callback address), and right after a handover it must first be borne out by the Wholesaler (<see cref="LiveHandover"/>).
/// </summary>
public sealed class LiveStatusFrames(IServiceScopeFactory scopes, ILogger<LiveStatusFrames> logger)
{
    /// <summary>
    /// Whether the Wholesaler, asked about the meeting we mapped, bears out a status frame: not when it cannot be asked,
    /// or answers about another meeting or for another issuer.
    /// </summary>
    public async Task<bool> ConfirmedAsync(long meetingId, JsonObject frame, string platform, string nativeId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            if (await db.Meetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId, ct) is not { WholesalerMeetingId: { } wholesalerId } meeting)
            {
                return false;
            }
            var client = scope.ServiceProvider.GetRequiredService<WholesalerClient>();
            var truth = await client.GetMeetingAsync(platform, nativeId, wholesalerId, ct);
            return truth is not null && truth.Issuer == meeting.WholesalerIssuer
                && LiveHandover.Confirms(WholesalerMeetingJson.Status(truth.Meeting), WholesalerMeetingJson.Status(frame["payload"]));
        }
        catch (WholesalerUnavailableException e)
        {
            logger.LogInformation("A status frame of {Platform}/{NativeId} after a handover could not be confirmed ({Detail}); withheld",
                platform, nativeId, e.Detail);
            return false;
        }
    }

    /// <summary>Our meeting takes the frame's status (and its time, as the start or end it lacks), if the frame's
    /// <paramref name="issuer"/> is the Wholesaler that issued the meeting.</summary>
    public async Task FollowAsync(long meetingId, JsonObject frame, string issuer, CancellationToken ct)
    {
        if (frame["payload"]?["status"] is not JsonValue status || status.GetValueKind() != JsonValueKind.String)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            if (await db.Meetings.FindAsync([meetingId], ct) is not { } meeting || meeting.WholesalerIssuer != issuer)
            {
                return; // mapped by another Wholesaler: the same native id there is not this meeting
            }
            var reported = new JsonObject { ["status"] = status.DeepClone() };
            var at = frame["ts"]?.DeepClone();
            if (MeetingStatus.IsFinal(status.GetValue<string>()) && meeting.EndTime is null)
            {
                reported["end_time"] = at;
            }
            else if (status.GetValue<string>() == MeetingStatus.Active && meeting.StartTime is null)
            {
                reported["start_time"] = at;
            }
            await scope.ServiceProvider.GetRequiredService<MeetingFollower>().FollowAsync(meeting, reported, StatusTransition.Wholesaler, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The frame still reaches the watchers; the follower's poll or a webhook brings the row along later.
            logger.LogWarning("Could not follow the status of meeting {MeetingId} from /ws: {Error}", meetingId, e.Message);
        }
    }
}
