using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// Every change of a meeting's status goes through <see cref="MeetingStatusWriter"/> (issue 30, part 1): sources racing
/// on one meeting neither lose a transition nor tell the owner twice, and a status saved any other way is refused.
/// </summary>
public sealed class MeetingStatusWriterTests
{
    private static VexaDbContext NewContext() =>
        new(new DbContextOptionsBuilder<VexaDbContext>().UseNpgsql(TestEnvironment.Postgres).UseSnakeCaseNamingConvention()
            .AddInterceptors(MeetingEventOutbox.Instance).Options);

    private static async Task<long> NewMeetingAsync(string status)
    {
        var userId = await TestEnvironment.NewUserAsync("writer");
        await using var db = NewContext();
        // The owner chose every event: each status change is recorded, and the completion.
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        user.Data = new JsonObject { [WebhookEvents.DataKey] = new JsonArray(WebhookEvents.StatusChange, WebhookEvents.Completed) }.ToJsonString();
        var meeting = new Meeting
        {
            UserId = userId, Platform = "google_meet", NativeMeetingId = RetailerFixture.NewMeetId(), Status = status,
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return meeting.Id;
    }

    [Fact]
    public async Task Sources_racing_on_one_meeting_tell_each_change_once_in_order_and_end_it_once()
    {
        for (var round = 0; round < 10; round++)
        {
            var meetingId = await NewMeetingAsync(MeetingStatus.Active);
            JsonObject Wholesaler(string status) => new() { ["status"] = status };
            // At once: the Wholesaler's stopping and completion (webhook and /ws), the owner's stop, the reconciler
            // finding the bot gone; each from its own process, twice.
            var sources = new List<(StatusTransition, Func<Meeting, bool>)>
            {
                (StatusTransition.Wholesaler, row => WholesalerMeetingJson.Follow(Wholesaler(MeetingStatus.Stopping), row)),
                (StatusTransition.Wholesaler, row => WholesalerMeetingJson.Follow(Wholesaler(MeetingStatus.Completed), row)),
                (StatusTransition.User, row =>
                {
                    if (!MeetingStatus.IsLive(row.Status) || row.Status == MeetingStatus.Stopping)
                    {
                        return false;
                    }
                    row.Status = MeetingStatus.Stopping;
                    return true;
                }),
                (StatusTransition.Wholesaler, WholesalerMeetingJson.MarkFailed),
            };
            await Task.WhenAll(sources.Concat(sources).Select(async source =>
            {
                await using var db = NewContext();
                var meeting = await db.Meetings.SingleAsync(m => m.Id == meetingId);
                await new MeetingStatusWriter(db, []).ApplyAsync(meeting, source.Item1, source.Item2, CancellationToken.None);
            }));

            await using var check = NewContext();
            var status = (await check.Meetings.SingleAsync(m => m.Id == meetingId)).Status;
            Assert.True(MeetingStatus.IsFinal(status), status);
            var told = await check.WebhookDeliveries.Where(d => d.MeetingId == meetingId).OrderBy(d => d.Id).Select(d => d.EventKey).ToListAsync();
            // One end, the one the row shows; each status once; the path only forward.
            var changes = told.Where(k => k.StartsWith(WebhookEvents.StatusChange + ":", StringComparison.Ordinal)).ToList();
            Assert.Equal([MeetingEventOutbox.CompletionKey(status)], told.Except(changes));
            Assert.Equal(changes.Distinct(), changes);
            Assert.Equal(MeetingEventOutbox.StatusChangeKey(status), changes[^1]);
            Assert.True(changes.Count <= 2, string.Join(", ", changes)); // at most stopping, then the end
        }
    }

    [Fact]
    public async Task A_status_saved_past_the_writer_is_refused_and_nothing_is_written()
    {
        var meetingId = await NewMeetingAsync(MeetingStatus.Active);
        await using var db = NewContext();
        var meeting = await db.Meetings.SingleAsync(m => m.Id == meetingId);
        meeting.Status = MeetingStatus.Completed;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        Assert.Contains("outside MeetingStatusWriter", refused.Message);

        await using var check = NewContext();
        Assert.Equal(MeetingStatus.Active, (await check.Meetings.SingleAsync(m => m.Id == meetingId)).Status);
        Assert.False(await check.WebhookDeliveries.AnyAsync(d => d.MeetingId == meetingId));
    }
}
