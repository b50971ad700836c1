using System.Text;
using VexaService.Gateway.Live;

namespace VexaService.UnitTests.Gateway;

public sealed class LiveFrameHeaderTests
{
    [Theory]
    [InlineData("""{"type":"transcript.mutable","meeting":{"platform":"zoom","native_id":"123456789"},"payload":{"segments":[{"text":"{\"type\":\"x\"}"}]},"ts":"t"}""",
        "transcript.mutable", "zoom", "123456789", null)]
    [InlineData("""{"payload":{"status":"active","meeting":{"platform":"x"}},"meeting":{"id":4,"native_id":"abc-defg-hij","platform":"google_meet","x":[1,{"a":2}]},"type":"meeting.status"}""",
        "meeting.status", "google_meet", "abc-defg-hij", 4L)]
    [InlineData("""{"type":"transcript","meeting":{"id":17},"segment":{"segment_id":"17:0","text":"hi"}}""", "transcript", null, null, 17L)]
    [InlineData("""{"type":"transcript_retract","meeting":{"id":"17"},"segment_ids":["17:0"]}""", "transcript_retract", null, null, null)]
    [InlineData("""{"type":"pong"}""", "pong", null, null, null)]
    [InlineData("""{"type":"subscribed","meeting":"not an object","meetings":[]}""", "subscribed", null, null, null)]
    public void Type_and_meeting_are_read_wherever_they_are(string frame, string type, string? platform, string? nativeId, long? wholesalerId) =>
        Assert.Equal(new LiveFrameHeader(type, platform, nativeId, wholesalerId), LiveFrameHeader.Read(Encoding.UTF8.GetBytes(frame)));

    [Theory]
    [InlineData("""["type"]""")]
    [InlineData("""{"type":7,"meeting":{"platform":"zoom","native_id":"123456789"}}""")]
    [InlineData("""{"meeting":{"platform":"zoom","native_id":"123456789"}}""")]
    [InlineData("""{"type":"transcript.mutable","meeting":{"platform":"zoom" """)]
    [InlineData("not json")]
    public void A_frame_without_a_string_type_has_no_header(string frame) =>
        Assert.Null(LiveFrameHeader.Read(Encoding.UTF8.GetBytes(frame)));
}
