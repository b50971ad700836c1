using System.Net;
using System.Text.Json;
using Wholesaler.ContractTests.Infrastructure;

namespace Wholesaler.ContractTests;

/// <summary>Contract 4.5-4.8 (and the 2025-09-25 <c>meeting_id</c> parameter): meetings, transcripts, PATCH, DELETE.</summary>
public sealed class MeetingsContractTests(WholesalerTarget target) : WholesalerTestBase(target)
{
    private static readonly string[] TranscriptFields =
        ["id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "start_time", "end_time", "segments"];

    private static readonly string[] SegmentFields =
        ["start", "end", "text", "language", "created_at", "speaker", "absolute_start_time", "absolute_end_time"];

    [Fact]
    public async Task Meetings_lists_every_meeting_newest_first_with_all_fields()
    {
        var older = await StartBotAsync("google_meet", Contract.GoogleMeetId());
        var newer = await StartBotAsync("zoom", Contract.ZoomId());

        var response = await GetAsync("/meetings");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Contract.HasExactKeys(response.Object, "meetings");
        var ids = response.Json["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()).ToList();
        Assert.True(ids.IndexOf(newer["id"]!.GetValue<long>()) < ids.IndexOf(older["id"]!.GetValue<long>()), "newest first");
        foreach (var meeting in response.Json["meetings"]!.AsArray())
        {
            Contract.IsMeetingResponse(meeting!.AsObject());
        }
    }

    [Fact]
    public async Task Transcript_of_an_unknown_meeting_is_404()
    {
        var nativeId = Contract.GoogleMeetId();

        var response = await GetAsync($"/transcripts/google_meet/{nativeId}");

        Contract.IsError(response, HttpStatusCode.NotFound, $"Meeting not found for platform google_meet and ID {nativeId}");
    }

    [Fact]
    public async Task Transcript_has_exactly_the_meeting_subset_fields()
    {
        var nativeId = Contract.GoogleMeetId();
        var meeting = await StartActiveBotAsync("google_meet", nativeId);

        var response = await GetAsync($"/transcripts/google_meet/{nativeId}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var transcript = response.Object;
        Contract.HasExactKeys(transcript, TranscriptFields);
        Assert.Equal(meeting["id"]!.GetValue<long>(), transcript["id"]!.GetValue<long>());
        Assert.Equal(nativeId, transcript["native_meeting_id"]!.GetValue<string>());
        Assert.Equal(meeting["constructed_meeting_url"]!.GetValue<string>(), transcript["constructed_meeting_url"]!.GetValue<string>());
        Assert.Equal(meeting["start_time"]!.GetValue<string>(), transcript["start_time"]!.GetValue<string>());
        Contract.IsKind(transcript["segments"], JsonValueKind.Array, "segments");
    }

    [Fact]
    public async Task Segments_appear_while_active_with_exactly_the_contract_fields_and_types()
    {
        var nativeId = Target.IsEmulator ? Contract.GoogleMeetId() : WholesalerTarget.Setting(WholesalerTarget.LiveMeetingVariable);
        Assert.SkipWhen(nativeId is null,
            $"Against a real Vexa, segments need a live Google Meet with speech: set {WholesalerTarget.LiveMeetingVariable}.");
        await StartBotAsync("google_meet", nativeId!);

        var transcript = await EventuallyAsync(async () =>
        {
            var response = await GetAsync($"/transcripts/google_meet/{nativeId}");
            return response.Json["segments"]!.AsArray().Count >= 3 ? response.Object : null;
        }, "three transcript segments");

        string? previousStart = null;
        foreach (var node in transcript["segments"]!.AsArray())
        {
            var segment = node!.AsObject();
            Contract.HasExactKeys(segment, SegmentFields);
            Contract.IsKind(segment["start"], JsonValueKind.Number, "start");
            Contract.IsKind(segment["end"], JsonValueKind.Number, "end");
            Assert.True(segment["start"]!.GetValue<double>() <= segment["end"]!.GetValue<double>());
            Assert.False(string.IsNullOrWhiteSpace(segment["text"]!.GetValue<string>()));
            Assert.True(segment["language"] is null || segment["language"]!.GetValueKind() == JsonValueKind.String);
            Assert.True(segment["speaker"] is null || segment["speaker"]!.GetValueKind() == JsonValueKind.String);
            Contract.IsNaiveIsoOrNull(segment["created_at"], "created_at");
            var absoluteStart = segment["absolute_start_time"]!.GetValue<string>();
            Assert.Matches(Contract.UtcIso(), absoluteStart);
            Assert.Matches(Contract.UtcIso(), segment["absolute_end_time"]!.GetValue<string>());
            Assert.True(previousStart is null || string.CompareOrdinal(previousStart, absoluteStart) <= 0, "sorted by absolute_start_time");
            previousStart = absoluteStart;
        }
        if (Target.IsEmulator)
        {
            // absolute = session start (the meeting's start_time here) + relative offset.
            var first = transcript["segments"]![0]!;
            var start = DateTime.Parse(transcript["start_time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            var absolute = DateTimeOffset.Parse(first["absolute_start_time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange((absolute.UtcDateTime - start).TotalSeconds - first["start"]!.GetValue<double>(), -0.002, 0.002);
        }
    }

    [Fact]
    public async Task Segments_stop_growing_once_the_bot_has_left()
    {
        Assert.SkipUnless(Target.IsEmulator, "Needs segments, which a real Vexa only produces in a live meeting.");
        var nativeId = Contract.GoogleMeetId();
        var meetingId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();
        await EventuallyAsync(async () =>
            (await GetAsync($"/transcripts/google_meet/{nativeId}")).Json["segments"]!.AsArray().Count >= 2 ? new object() : null,
            "two segments");

        await StopBotAsync("google_meet", nativeId);
        await MeetingInStatusAsync(meetingId, "completed");
        var first = await GetAsync($"/transcripts/google_meet/{nativeId}");
        await Task.Delay(300, Cancellation);
        var second = await GetAsync($"/transcripts/google_meet/{nativeId}");

        Assert.Equal(first.Json["segments"]!.AsArray().Count, second.Json["segments"]!.AsArray().Count);
        Assert.Equal("completed", second.Json["status"]!.GetValue<string>());
        Assert.NotNull(second.Json["end_time"]);
    }

    [Fact]
    public async Task Transcript_meeting_id_parameter_picks_an_older_meeting_of_the_same_native_id()
    {
        var nativeId = Contract.GoogleMeetId();
        var olderId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();
        await StopBotAsync("google_meet", nativeId);
        await MeetingInStatusAsync(olderId, "completed");
        var newerId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();

        var newest = await GetAsync($"/transcripts/google_meet/{nativeId}");
        var older = await GetAsync($"/transcripts/google_meet/{nativeId}?meeting_id={olderId}");
        var otherNativeId = Contract.GoogleMeetId();
        var mismatch = await GetAsync($"/transcripts/google_meet/{otherNativeId}?meeting_id={olderId}");

        Assert.Equal(newerId, newest.Json["id"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, older.Status);
        Assert.Equal(olderId, older.Json["id"]!.GetValue<long>());
        Assert.Equal("completed", older.Json["status"]!.GetValue<string>());
        Contract.IsError(mismatch, HttpStatusCode.NotFound, $"Meeting not found for platform google_meet and ID {otherNativeId}");
    }

    [Fact]
    public async Task Patch_merges_allowed_non_null_fields_into_data()
    {
        var nativeId = Contract.GoogleMeetId();
        await StartBotAsync("google_meet", nativeId);

        var first = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{nativeId}",
            """{"data":{"name":"Weekly sync","participants":["Alice","Bob"],"unknown_key":1}}""");
        var second = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{nativeId}",
            """{"data":{"notes":"Follow up on budget","name":null}}""");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Contract.IsMeetingResponse(first.Object);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var data = second.Json["data"]!.AsObject();
        Contract.HasExactKeys(data, "name", "participants", "notes");
        Assert.Equal("Weekly sync", data["name"]!.GetValue<string>());
        Assert.Equal(["Alice", "Bob"], data["participants"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("Follow up on budget", data["notes"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"data":{}}""")]
    [InlineData("""{"data":{"name":null,"something_else":"x"}}""")]
    public async Task Patch_without_usable_fields_is_400(string body)
    {
        var nativeId = Contract.GoogleMeetId();
        await StartBotAsync("google_meet", nativeId);

        var response = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{nativeId}", body);

        Contract.IsError(response, HttpStatusCode.BadRequest, "No data provided for update.");
    }

    [Theory]
    [InlineData("""{"name":"x"}""", new[] { "body", "data" }, "field required", "value_error.missing")]
    [InlineData("""{"data":{"participants":"Alice"}}""", new[] { "body", "data", "participants" }, "value is not a valid list", "type_error.list")]
    [InlineData("""{"data":"x"}""", new[] { "body", "data" }, "value is not a valid dict", "type_error.dict")]
    public async Task Patch_with_a_malformed_body_is_422(string body, string[] loc, string msg, string type)
    {
        var response = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{Contract.GoogleMeetId()}", body);

        Contract.IsValidationError(response, loc, msg, type);
    }

    [Fact]
    public async Task Patch_of_an_unknown_meeting_is_404()
    {
        var nativeId = Contract.GoogleMeetId();

        var response = await SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{nativeId}", """{"data":{"name":"x"}}""");

        Contract.IsError(response, HttpStatusCode.NotFound, $"Meeting not found for platform google_meet and ID {nativeId}");
    }

    [Fact]
    public async Task Delete_meeting_removes_only_the_newest_even_while_active()
    {
        var nativeId = Contract.GoogleMeetId();
        var olderId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();
        await StopBotAsync("google_meet", nativeId);
        await MeetingInStatusAsync(olderId, "completed");
        var newerId = (await StartBotAsync("google_meet", nativeId))["id"]!.GetValue<long>();

        var deleted = await SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{nativeId}");

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Contract.HasExactKeys(deleted.Object, "message");
        Assert.Equal($"Meeting google_meet/{nativeId} and all its transcripts have been deleted", deleted.Json["message"]!.GetValue<string>());
        Assert.Null(await FindMeetingAsync(newerId));
        Assert.Equal(olderId, (await GetAsync($"/transcripts/google_meet/{nativeId}")).Json["id"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{nativeId}")).Status);
        var gone = await SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{nativeId}");
        Contract.IsError(gone, HttpStatusCode.NotFound, $"Meeting not found for platform google_meet and ID {nativeId}");
    }
}
