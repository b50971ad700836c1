using System.Text.Json.Nodes;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>Every datetime we send reads as Vexa writes it, and the same before and after PostgreSQL stores it.</summary>
[Collection(RetailerCollection.Name)]
public sealed class TimestampFormatTests(RetailerFixture fixture)
{
    private const string NaiveIso = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$";
    private static readonly string[] Fields = ["start_time", "created_at", "updated_at"];

    [Fact]
    public async Task A_started_bot_reads_the_same_in_its_start_answer_and_in_the_listing()
    {
        var userId = await fixture.NewUserAsync();
        var started = (await (await fixture.AsUserAsync(fixture.BotManager.CreateClient(), userId, HttpMethod.Post, "/bots",
            new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() })).JsonAsync()).AsObject();
        var listed = await ListedAsync(userId, started["id"]!.GetValue<long>());

        foreach (var field in Fields)
        {
            var written = started[field]!.GetValue<string>();
            Assert.Matches(NaiveIso, written);
            if (field != "updated_at") // the listing may have refreshed it since
            {
                Assert.Equal(written, listed[field]!.GetValue<string>()); // in-memory 100 ns ticks = what PostgreSQL kept
            }
        }
    }

    [Theory]
    [InlineData(1_784_457, "2026-11-30T20:21:38.178445")] // 100 ns ticks: truncated like PostgreSQL, not rounded
    [InlineData(331_300, "2026-11-30T20:21:38.033130")]   // a trailing zero is kept
    [InlineData(0, "2026-11-30T20:21:38")]                // a whole second has no fraction
    public async Task Stored_times_are_written_with_six_digits_or_none(long ticksAfterSecond, string expected)
    {
        var userId = await fixture.NewUserAsync();
        var at = new DateTime(2026, 11, 30, 20, 21, 38, DateTimeKind.Utc).AddTicks(ticksAfterSecond);
        long meetingId;
        await using (var db = TestEnvironment.NewDbContext())
        {
            var meeting = new Meeting
            {
                UserId = userId, Platform = "google_meet", NativeMeetingId = RetailerFixture.NewMeetId(), Status = MeetingStatus.Completed,
                StartTime = at, EndTime = at, CreatedAt = at, UpdatedAt = at,
            };
            db.Meetings.Add(meeting);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            meetingId = meeting.Id;
        }

        var listed = await ListedAsync(userId, meetingId);
        foreach (var field in new[] { "start_time", "end_time", "created_at", "updated_at" })
        {
            Assert.Equal(expected, listed[field]!.GetValue<string>());
        }
    }

    private async Task<JsonNode> ListedAsync(long userId, long meetingId)
    {
        var meetings = await (await fixture.AsUserAsync(fixture.Transcripts.CreateClient(), userId, HttpMethod.Get, "/meetings")).JsonAsync();
        return meetings["meetings"]!.AsArray().Single(m => m!["id"]!.GetValue<long>() == meetingId)!;
    }
}
