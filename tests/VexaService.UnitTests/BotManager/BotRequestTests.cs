using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using VexaService.BotManager.Services;
using VexaService.Contracts;

namespace VexaService.UnitTests.BotManager;

/// <summary>
/// <c>POST /bots</c> bodies as Vexa of September 2025 checks them (<c>passcode</c>, <c>language</c>, <c>task</c>, with its
/// messages) and the <c>meeting_url</c> we accept besides <c>platform</c> + <c>native_meeting_id</c>.
/// </summary>
public sealed class BotRequestTests
{
    private const string Languages = "['af', 'am', 'ar', 'as', 'az', 'ba', 'be', 'bg', 'bn', 'bo', 'br', 'bs', 'ca', 'cs', 'cy', 'da', " +
        "'de', 'el', 'en', 'es', 'et', 'eu', 'fa', 'fi', 'fo', 'fr', 'gl', 'gu', 'ha', 'haw', 'he', 'hi', 'hr', 'ht', 'hu', 'hy', 'id', " +
        "'is', 'it', 'ja', 'jw', 'ka', 'kk', 'km', 'kn', 'ko', 'la', 'lb', 'ln', 'lo', 'lt', 'lv', 'mg', 'mi', 'mk', 'ml', 'mn', 'mr', " +
        "'ms', 'mt', 'my', 'ne', 'nl', 'nn', 'no', 'oc', 'pa', 'pl', 'ps', 'pt', 'ro', 'ru', 'sa', 'sd', 'si', 'sk', 'sl', 'sn', 'so', " +
        "'sq', 'sr', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'tk', 'tl', 'tr', 'tt', 'uk', 'ur', 'uz', 'vi', 'yi', 'yo', 'yue', 'zh']";

    private static BotRequest Accepted(string json)
    {
        var (request, error) = BotRequest.Read(JsonNode.Parse(json)!.AsObject());
        Assert.True(error is null, $"refused: {json}");
        return request!;
    }

    /// <summary>The refusal's field and message (a 422 in pydantic's shape), or its detail for a plain 422.</summary>
    private static (string? Field, string Message) Refused(string json)
    {
        var (request, error) = BotRequest.Read(JsonNode.Parse(json)!.AsObject());
        Assert.True(request is null, $"accepted: {json}");
        var value = Assert.IsAssignableFrom<IValueHttpResult>(error).Value;
        Assert.Equal(StatusCodes.Status422UnprocessableEntity, Assert.IsAssignableFrom<IStatusCodeHttpResult>(error).StatusCode);
        return value switch
        {
            ValidationErrorBody body => (body.Detail.Single().Loc[1].ToString(), body.Detail.Single().Msg),
            ErrorBody plain => (null, plain.Detail),
            _ => throw new InvalidOperationException($"unexpected body {value}"),
        };
    }

    [Theory]
    [InlineData("teams", "1234567890", "Abc12345")]
    [InlineData("teams", "1234567890", "A1b2C3d4E5f6G7h8I9j0")]
    [InlineData("zoom", "12345678901", "123456")]
    [InlineData("zoom", "12345678901", "1234567890")]
    [InlineData("google_meet", "abc-defg-hij", "")] // empty is no passcode, as Vexa's `if v is not None and v != ""`
    public void A_passcode_within_vexas_rules_is_passed_to_the_wholesaler(string platform, string nativeId, string passcode)
    {
        var request = Accepted($$"""{"platform":"{{platform}}","native_meeting_id":"{{nativeId}}","passcode":"{{passcode}}"}""");
        var sent = request.ToWholesalerBody();
        Assert.Equal(passcode == "" ? null : passcode, sent["passcode"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("google_meet", "abc-defg-hij", "12345678", "Passcode is not supported for Google Meet meetings")]
    [InlineData("teams", "1234567890", "Abc1234", "Teams passcode must be 8-20 alphanumeric characters")]
    [InlineData("teams", "1234567890", "A1b2C3d4E5f6G7h8I9j0K", "Teams passcode must be 8-20 alphanumeric characters")]
    [InlineData("teams", "1234567890", "Abc-12345", "Teams passcode must be 8-20 alphanumeric characters")]
    [InlineData("zoom", "12345678901", "12345", "Zoom passcode must be 6-10 digits")]
    [InlineData("zoom", "12345678901", "12345678901", "Zoom passcode must be 6-10 digits")]
    [InlineData("zoom", "12345678901", "12345a", "Zoom passcode must be 6-10 digits")]
    public void A_passcode_outside_vexas_rules_is_refused_with_its_message(string platform, string nativeId, string passcode, string message) =>
        Assert.Equal(("passcode", message),
            Refused($$"""{"platform":"{{platform}}","native_meeting_id":"{{nativeId}}","passcode":"{{passcode}}"}"""));

    [Theory]
    [InlineData("en")]
    [InlineData("yue")]
    [InlineData("haw")]
    [InlineData("")]
    public void A_known_language_is_accepted(string language) =>
        Assert.Equal(language, Accepted($$"""{"platform":"google_meet","native_meeting_id":"abc-defg-hij","language":"{{language}}"}""").Language);

    [Theory]
    [InlineData("english")]
    [InlineData("EN")]
    [InlineData("en-US")]
    [InlineData("xx")]
    public void An_unknown_language_is_refused_naming_the_accepted_ones(string language) =>
        Assert.Equal(("language", $"Invalid language code '{language}'. Must be one of: {Languages}"),
            Refused($$"""{"platform":"google_meet","native_meeting_id":"abc-defg-hij","language":"{{language}}"}"""));

    [Theory]
    [InlineData("transcribe", null)]
    [InlineData("translate", null)]
    [InlineData("", null)]
    [InlineData("summarize", "Invalid task 'summarize'. Must be one of: ['transcribe', 'translate']")]
    [InlineData("Transcribe", "Invalid task 'Transcribe'. Must be one of: ['transcribe', 'translate']")]
    public void A_task_is_one_of_whisperlives(string task, string? message)
    {
        var body = $$"""{"platform":"google_meet","native_meeting_id":"abc-defg-hij","task":"{{task}}"}""";
        if (message is null)
        {
            Assert.Equal(task, Accepted(body).Task);
        }
        else
        {
            Assert.Equal(("task", message), Refused(body));
        }
    }

    [Theory]
    [InlineData("https://meet.google.com/abc-defg-hij", "google_meet", "abc-defg-hij", null)]
    [InlineData("https://meet.google.com/ABC-defg-hij?authuser=0&hs=122", "google_meet", "abc-defg-hij", null)]
    [InlineData("https://teams.live.com/meet/9876543210123?p=SecretPass1", "teams", "9876543210123", "SecretPass1")]
    [InlineData("https://teams.live.com/meet/9876543210/", "teams", "9876543210", null)]
    [InlineData("https://us05web.zoom.us/j/12345678901?pwd=aBcD1234.1", "zoom", "12345678901?pwd=aBcD1234.1", null)]
    [InlineData("https://zoom.us/j/123456789", "zoom", "123456789", null)]
    public void A_meeting_link_is_read_as_platform_native_id_and_passcode(string link, string platform, string nativeId, string? passcode)
    {
        var request = Accepted($$"""{"meeting_url":"{{link}}"}""");
        Assert.Equal((platform, nativeId, passcode), (request.Platform, request.NativeMeetingId, request.Passcode));
    }

    [Fact]
    public void A_given_passcode_wins_over_the_links_and_the_same_meeting_may_be_named_twice()
    {
        var request = Accepted("""
            {"meeting_url":"https://teams.live.com/meet/9876543210?p=FromLink1","passcode":"Given1234",
             "platform":"teams","native_meeting_id":"9876543210"}
            """);
        Assert.Equal(("teams", "9876543210", "Given1234"), (request.Platform, request.NativeMeetingId, request.Passcode));
    }

    [Theory]
    [InlineData("meet.google.com/abc-defg-hij", "meeting_url is not an http(s) link")]
    [InlineData("https://meet.google.com/landing", "a Google Meet link ends in the meeting code abc-defg-hij; 'landing' is not one")]
    [InlineData("https://teams.live.com/meet/123", "a Teams link is https://teams.live.com/meet/<10-15 digits>")]
    [InlineData("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0", "Teams links of teams.microsoft.com")]
    [InlineData("https://us05web.zoom.us/my/someone", "a Zoom link is https://<host>.zoom.us/j/<9-11 digits>")]
    [InlineData("https://example.com/j/123456789", "'example.com' is not a Google Meet, Teams or Zoom host")]
    [InlineData("https://teams.live.com/meet/9876543210?p=short", "Teams passcode must be 8-20 alphanumeric characters")]
    public void A_link_that_names_no_meeting_is_refused_saying_what_was_not_understood(string link, string start)
    {
        var (field, message) = Refused($$"""{"meeting_url":"{{link}}"}""");
        Assert.Equal(start.Contains("passcode") ? "passcode" : "meeting_url", field);
        Assert.StartsWith(start, message);
    }

    [Fact]
    public void A_link_and_another_meeting_are_refused()
    {
        var (field, message) = Refused("""{"meeting_url":"https://meet.google.com/abc-defg-hij","platform":"google_meet","native_meeting_id":"xyz-abcd-efg"}""");
        Assert.Equal("meeting_url", field);
        Assert.Equal("meeting_url names google_meet meeting 'abc-defg-hij', not the platform and native_meeting_id given: give one or the other", message);
    }

    [Fact]
    public void Without_a_link_platform_and_native_id_are_required() =>
        Assert.Equal(("platform", "field required"), Refused("""{"native_meeting_id":"abc-defg-hij"}"""));
}
