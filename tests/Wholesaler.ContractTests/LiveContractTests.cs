using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Testing;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>
/// The Wholesaler's <c>/ws</c> (contract §14, Vexa main at 2025-09-30): the key check, every request frame's answer and
/// its errors, and the frames of a subscribed meeting. Runs against a real Vexa as against the emulator; the frames of
/// live segments need a meeting with speech (a real one: <see cref="WholesalerTarget.LiveMeetingVariable"/>).
/// </summary>
public sealed class LiveContractTests(WholesalerTarget target) : WholesalerTestBase(target)
{
    private async Task<LiveClient> ConnectAsync(string? key, bool inQuery = false) =>
        new(await Target.ConnectLiveAsync(key, inQuery, Cancellation), Target.PatienceFor);

    private static string Frame(string action, params (string Platform, string NativeId)[] meetings) => new JsonObject
    {
        ["action"] = action,
        ["meetings"] = new JsonArray([.. meetings.Select(m => new JsonObject { ["platform"] = m.Platform, ["native_id"] = m.NativeId })]),
    }.ToJsonString();

    private static string? Text(JsonObject frame, string field) =>
        frame[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A Google Meet id whose bot hears speech: a new one on the emulator, the configured live meeting on a real
    /// Vexa (the test is skipped without one).</summary>
    private string MeetingWithSpeech()
    {
        var nativeId = Target.IsEmulator ? Contract.GoogleMeetId() : WholesalerTarget.Setting(WholesalerTarget.LiveMeetingVariable);
        Assert.SkipWhen(nativeId is null,
            $"Against a real Vexa, segments need a live Google Meet with speech: set {WholesalerTarget.LiveMeetingVariable}.");
        return nativeId!;
    }

    /// <summary>The next frame that answers a request (not a meeting's own frames).</summary>
    private static async Task<JsonObject> AnswerAsync(LiveClient client, string frame)
    {
        await client.SendAsync(frame);
        var answer = await client.NextAsync(f => Text(f, "type") is not ("transcript.mutable" or "transcript.finalized" or "meeting.status"));
        Assert.True(answer is not null, $"no answer to {frame}");
        return answer!;
    }

    [Fact]
    public async Task Without_a_key_the_socket_gets_missing_api_key_and_is_closed_with_4401()
    {
        await using var client = await ConnectAsync(null);
        var frame = await client.NextAsync();
        Assert.NotNull(frame);
        Contract.HasExactKeys(frame!, "type", "error");
        Assert.Equal("error", Text(frame!, "type"));
        Assert.Equal("missing_api_key", Text(frame!, "error"));
        Assert.Equal(4401, (int?)await client.ClosedAsync());
    }

    [Fact]
    public async Task Ping_bad_json_and_unknown_actions_are_answered_and_the_socket_stays_open()
    {
        await using var client = await ConnectAsync(Target.ApiKey, inQuery: true);
        Assert.Equal("""{"type":"pong"}""", (await AnswerAsync(client, """{"action":"ping"}""")).ToJsonString());
        Assert.Equal("""{"type":"error","error":"invalid_json"}""", (await AnswerAsync(client, "{not json")).ToJsonString());
        Assert.Equal("""{"type":"error","error":"unknown_action"}""", (await AnswerAsync(client, """{"action":"dance"}""")).ToJsonString());
        Assert.Equal("""{"type":"pong"}""", (await AnswerAsync(client, """{"action":"ping"}""")).ToJsonString());
    }

    [Fact]
    public async Task A_clients_close_is_answered_with_its_code()
    {
        using var socket = await Target.ConnectLiveAsync(Target.ApiKey, inQuery: false, Cancellation);
        await socket.SendAsync("""{"action":"ping"}"""u8.ToArray(), WebSocketMessageType.Text, true, Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(Target.PatienceFor);
        // CloseAsync sends the close, then reads (dropping the pong) until the server answers it.
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Theory]
    [InlineData("""{"action":"subscribe","meetings":"abc"}""", "'meetings' must be a non-empty list")]
    [InlineData("""{"action":"subscribe"}""", "'meetings' must be a non-empty list")]
    [InlineData("""{"action":"subscribe","meetings":[]}""", "'meetings' list cannot be empty")]
    [InlineData("""{"action":"subscribe","meetings":[{"platform":"google_meet"},"x"]}""", "no valid meeting objects")]
    public async Task A_malformed_subscribe_gets_invalid_subscribe_payload(string frame, string details)
    {
        await using var client = await ConnectAsync(Target.ApiKey);
        var answer = await AnswerAsync(client, frame);
        Contract.HasExactKeys(answer, "type", "error", "details");
        Assert.Equal("invalid_subscribe_payload", Text(answer, "error"));
        Assert.Equal(details, Text(answer, "details"));
    }

    [Fact]
    public async Task An_invalid_key_is_refused_at_subscribe_with_authorization_service_error()
    {
        await using var client = await ConnectAsync(new string('x', 40));
        var answer = await AnswerAsync(client, Frame("subscribe", ("google_meet", Contract.GoogleMeetId())));
        Contract.HasExactKeys(answer, "type", "error", "status", "detail");
        Assert.Equal("authorization_service_error", Text(answer, "error"));
        Assert.Equal(403, answer["status"]!.GetValue<int>());
        Contract.IsKind(answer["detail"], JsonValueKind.String, "detail");
    }

    [Fact]
    public async Task Only_meetings_of_the_user_are_subscribed_the_others_are_named_in_the_errors()
    {
        var mine = Contract.GoogleMeetId();
        await StartBotAsync("google_meet", mine);
        var never = Contract.GoogleMeetId();
        await using var client = await ConnectAsync(Target.ApiKey);
        await client.SendAsync(Frame("subscribe", ("google_meet", mine), ("google_meet", never), ("zoom", "12")));

        var refused = await client.NextAsync(f => Text(f, "error") == "invalid_subscribe_payload");
        Assert.NotNull(refused);
        Assert.Equal(
            ["meetings[1] not authorized or not found for user", "meetings[2] invalid native_meeting_id for platform 'zoom'"],
            refused!["details"]!.AsArray().Select(d => d!.GetValue<string>()));
        var subscribed = await client.NextAsync(f => Text(f, "type") == "subscribed");
        Assert.NotNull(subscribed);
        Assert.Equal($$"""{"type":"subscribed","meetings":[{"platform":"google_meet","native_id":"{{mine}}"}]}""", subscribed!.ToJsonString());

        var unsubscribed = await AnswerAsync(client, Frame("unsubscribe", ("google_meet", mine)));
        Assert.Equal($$"""{"type":"unsubscribed","meetings":[{"platform":"google_meet","native_id":"{{mine}}"}]}""", unsubscribed.ToJsonString());
    }

    [Fact]
    public async Task A_subscribed_meeting_sends_its_statuses_and_segments_in_vexas_frames()
    {
        var nativeId = MeetingWithSpeech();
        await using var client = await ConnectAsync(Target.ApiKey);
        await StartBotAsync("google_meet", nativeId);
        await client.SendAsync(Frame("subscribe", ("google_meet", nativeId)));
        Assert.NotNull(await client.NextAsync(f => Text(f, "type") == "subscribed"));

        var segments = await client.NextAsync(f => Text(f, "type") == "transcript.mutable");
        Assert.NotNull(segments);
        Contract.HasExactKeys(segments!, "type", "meeting", "payload", "ts");
        Assert.Equal($$"""{"platform":"google_meet","native_id":"{{nativeId}}"}""", segments!["meeting"]!.ToJsonString());
        Assert.True(Contract.UtcIso().IsMatch(Text(segments, "ts") ?? ""), $"ts: {segments["ts"]}");
        var segment = segments["payload"]!["segments"]!.AsArray()[0]!.AsObject();
        foreach (var field in new[] { "start", "end" })
        {
            Contract.IsKind(segment[field], JsonValueKind.Number, field);
        }
        foreach (var field in new[] { "text", "absolute_start_time" })
        {
            Contract.IsKind(segment[field], JsonValueKind.String, field);
        }

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await StopBotAsync("google_meet", nativeId)).Status);
        var status = await client.NextAsync(f => Text(f, "type") == "meeting.status" && f["payload"]?["status"]?.GetValue<string>() == "completed");
        Assert.NotNull(status);
        Contract.HasExactKeys(status!, "type", "meeting", "payload", "ts");
        Contract.HasExactKeys(status!["payload"]!.AsObject(), "status");
        Assert.True(Contract.NaiveIso().IsMatch(Text(status, "ts") ?? ""), $"ts: {status["ts"]}");
    }

    [Fact]
    public async Task A_subscribe_replays_nothing_the_frames_are_what_changes_after_it()
    {
        var nativeId = MeetingWithSpeech();
        await StartBotAsync("google_meet", nativeId);
        // Segments written before the subscribe: the transcript has them, final (created_at set), the meeting active.
        var before = await EventuallyAsync(async () =>
        {
            var transcript = await GetAsync($"/transcripts/google_meet/{nativeId}");
            return transcript.Status == System.Net.HttpStatusCode.OK && Text(transcript.Object, "status") == "active"
                && Final(transcript.Object).Count >= 3 ? transcript.Object : null;
        }, "an active meeting with three final segments");

        await using var client = await ConnectAsync(Target.ApiKey);
        await client.SendAsync(Frame("subscribe", ("google_meet", nativeId)));
        Assert.NotNull(await client.NextAsync(f => Text(f, "type") == "subscribed"));
        Assert.NotNull(await client.NextAsync(f => Text(f, "type") == "transcript.mutable"));
        await client.DrainAsync(TimeSpan.FromSeconds(1));

        // Clients load GET /transcripts first, then apply frames (contract §14): no earlier segment, no status that did
        // not change.
        var sent = client.Received.Where(f => Text(f, "type") is "transcript.mutable" or "transcript.finalized")
            .SelectMany(f => f["payload"]!["segments"]!.AsArray().Select(s => s!["start"]!.GetValue<double>())).ToHashSet();
        Assert.Empty(sent.Intersect(Final(before)));
        Assert.DoesNotContain(client.Received, f => Text(f, "type") == "meeting.status");

        static HashSet<double> Final(JsonObject transcript) => transcript["segments"]!.AsArray()
            .Where(s => s!["created_at"] is JsonValue).Select(s => s!["start"]!.GetValue<double>()).ToHashSet();
    }

    [Fact]
    public async Task The_emulator_sends_a_segment_when_it_appears_and_again_once_it_is_final()
    {
        Assert.SkipUnless(Target.IsEmulator, "Emulator-only: how often Vexa re-sends a mutable segment depends on its transcriber.");
        var nativeId = Contract.GoogleMeetId();
        await using var client = await ConnectAsync(Target.ApiKey);
        await StartBotAsync("google_meet", nativeId);
        await client.SendAsync(Frame("subscribe", ("google_meet", nativeId)));
        await client.DrainAsync(TimeSpan.FromSeconds(1.5)); // segments every 50 ms, final 200 ms later
        var sent = client.Received.Where(f => Text(f, "type") == "transcript.mutable")
            .SelectMany(f => f["payload"]!["segments"]!.AsArray().Select(s => s!.AsObject()))
            .GroupBy(s => s["start"]!.GetValue<double>()).ToList();
        Assert.True(sent.Count >= 5, $"{sent.Count} segments");
        // Each segment at most twice: new (created_at null) and final (created_at set); most of them both.
        Assert.All(sent, g => Assert.InRange(g.Count(), 1, 2));
        Assert.All(sent.Where(g => g.Count() == 2), g => Assert.Equal([false, true], g.Select(s => s["created_at"] is not null)));
        Assert.True(sent.Count(g => g.Count() == 2) >= sent.Count / 2, string.Join(" ", sent.Select(g => g.Count())));
    }
}
