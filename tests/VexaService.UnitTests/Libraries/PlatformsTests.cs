using VexaService.Contracts;

namespace VexaService.UnitTests.Libraries;

public class PlatformsTests
{
    [Theory]
    [InlineData("google_meet", "abc-defg-hij", "https://meet.google.com/abc-defg-hij")]
    [InlineData("zoom", "123456789", "https://*.zoom.us/j/123456789")]
    [InlineData("zoom", "12345678901?pwd=secret", "https://*.zoom.us/j/12345678901?pwd=secret")]
    [InlineData("teams", "1234567890", "https://teams.live.com/meet/1234567890")]
    public void Valid_ids_make_vexas_meeting_urls(string platform, string id, string url) =>
        Assert.Equal(url, Platforms.ConstructMeetingUrl(platform, id));

    [Theory]
    [InlineData("google_meet", "ABC-DEFG-HIJ")]
    [InlineData("google_meet", "abc-defg-hi")]
    [InlineData("google_meet", "https://meet.google.com/abc-defg-hij")]
    [InlineData("zoom", "12345678")]
    [InlineData("zoom", "123456789012")]
    [InlineData("teams", "123456789")]
    [InlineData("teams", "abc")]
    [InlineData("skype", "abc-defg-hij")]
    public void Invalid_ids_make_no_url(string platform, string id) => Assert.Null(Platforms.ConstructMeetingUrl(platform, id));

    [Fact]
    public void Only_vexas_three_platforms_are_known()
    {
        Assert.All(Platforms.All, p => Assert.True(Platforms.IsKnown(p)));
        Assert.False(Platforms.IsKnown("Google_Meet"));
        Assert.False(Platforms.IsKnown(null));
    }
}
