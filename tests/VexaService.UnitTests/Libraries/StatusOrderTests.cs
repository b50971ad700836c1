using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.UnitTests.Libraries;

/// <summary>Which reports of the Wholesaler move our status, and when a push shows that an earlier one was missed.</summary>
public sealed class StatusOrderTests
{
    [Theory]
    [InlineData("joining", "requested", true)]
    [InlineData("requested", "joining", false)] // late
    [InlineData("active", "active", false)] // repeated
    [InlineData("active", "completed", false)] // a final status is never left
    [InlineData("in_breakout_room", "active", true)] // unknown statuses are live and taken as they come
    [InlineData("active", "in_breakout_room", true)]
    public void A_report_moves_us_only_forward(string reported, string ours, bool newer) =>
        Assert.Equal(newer, WholesalerMeetingJson.IsNewer(reported, ours));

    [Theory]
    [InlineData("needs_help", "needs_help")] // Vexa 0.12
    [InlineData("needs_human_help", "needs_help")] // the hosted 1.5 API: the same status, shown under one name
    [InlineData("in_breakout_room", "in_breakout_room")] // unknown statuses are shown as they come
    public void A_status_is_read_in_our_words(string theirs, string ours) =>
        Assert.Equal(ours, WholesalerMeetingJson.Status(new JsonObject { ["status"] = theirs }));

    [Theory]
    [InlineData("needs_human_help", "active", "needs_help")] // live, and left for any status
    [InlineData("active", "needs_help", "active")]
    [InlineData("needs_human_help", "stopping", "needs_help")]
    [InlineData("needs_human_help", "completed", "completed")] // a final status is never left
    public void A_bot_that_needs_help_is_live_and_moves_either_way(string reported, string ours, string after)
    {
        var meeting = new Meeting { Status = ours, Platform = "google_meet", NativeMeetingId = "abc-defg-hij" };
        WholesalerMeetingJson.Follow(new JsonObject { ["status"] = reported }, meeting);
        Assert.Equal(after, meeting.Status);
        Assert.True(MeetingStatus.IsLive(MeetingStatus.NeedsHelp));
    }

    [Theory]
    [InlineData("joining", "awaiting_admission", "requested", true)] // the push into joining is late or lost
    [InlineData("requested", "joining", "requested", false)] // nothing missed
    [InlineData("joining", "awaiting_admission", "joining", false)]
    [InlineData("joining", "awaiting_admission", "active", false)] // a stale push
    [InlineData("stopping", "completed", "active", true)]
    [InlineData("active", "joining", "requested", false)] // backwards: no order to infer
    [InlineData("in_breakout_room", "active", "requested", false)] // an unknown status has no place on the path
    [InlineData("active", "in_breakout_room", "requested", false)]
    [InlineData(null, "active", "requested", false)] // not said
    public void A_push_shows_a_missed_step_when_it_left_a_known_status_ahead_of_ours(string? from, string to, string ours, bool missed) =>
        Assert.Equal(missed, MeetingFollower.IsMissedStep(from, to, ours));
}
