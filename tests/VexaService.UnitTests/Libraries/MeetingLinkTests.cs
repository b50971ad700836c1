using VexaService.Contracts;

namespace VexaService.UnitTests.Libraries;

/// <summary>
/// <c>parse_meeting_link</c> (MCP) and <c>meeting_url</c> (<c>POST /bots</c>) read links the same way: Vexa's own
/// examples of each platform, and the links we cannot express in our API refused with the reason.
/// </summary>
public sealed class MeetingLinkTests
{
    [Theory]
    [InlineData("https://meet.google.com/abc-defg-hij", "google_meet", "abc-defg-hij", null)]
    [InlineData("https://meet.google.com/ABC-DEFG-HIJ?authuser=0", "google_meet", "abc-defg-hij", null)]
    [InlineData("https://us05web.zoom.us/j/84335626851?pwd=3r5yX2Ab", "zoom", "84335626851?pwd=3r5yX2Ab", null)]
    [InlineData("https://zoom.us/j/123456789", "zoom", "123456789", null)]
    [InlineData("https://teams.live.com/meet/9366473044740?p=waw4q9dPAvdIG3aknh", "teams", "9366473044740", "waw4q9dPAvdIG3aknh")]
    [InlineData("https://teams.live.com/meet/9366473044740", "teams", "9366473044740", null)]
    public void Vexas_examples_give_platform_id_and_passcode(string link, string platform, string nativeId, string? passcode)
    {
        var (meeting, problem) = MeetingLink.Parse(link);
        Assert.Null(problem);
        Assert.Equal(new MeetingLink.Parsed(platform, nativeId, passcode), meeting);
    }

    [Theory]
    [InlineData("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d", "meetup-join")]
    [InlineData("https://meet.google.com/not-a-code", "abc-defg-hij")]
    [InlineData("https://example.com/meeting", "example.com")]
    [InlineData("meet.google.com/abc-defg-hij", "http(s)")]
    public void A_link_we_cannot_express_is_refused_with_the_reason(string link, string says)
    {
        var (meeting, problem) = MeetingLink.Parse(link);
        Assert.Null(meeting);
        Assert.Contains(says, problem);
    }
}
