using System.Net;
using System.Text.Json.Nodes;
using VexaService.Wholesaler;
using VexaService.Wholesaler.Generations;

namespace VexaService.UnitTests.Wholesaler;

/// <summary>How each generation's strategy asks and reads (vexa-0.12.md §7.1); the emulator plays them end to end
/// in the integration tests (Generations/).</summary>
public sealed class GenerationStrategyTests
{
    private static readonly WholesalerGeneration V012 = WholesalerGenerations.Vexa012;

    [Fact]
    public void Zoom_and_teams_starts_carry_the_url_0_12_needs_and_no_recording()
    {
        var zoom = V012.StartBody(new JsonObject { ["platform"] = "zoom", ["native_meeting_id"] = "1234567890", ["passcode"] = "abc123" });
        Assert.Equal("https://zoom.us/j/1234567890?pwd=abc123", zoom["meeting_url"]!.GetValue<string>());
        Assert.False(zoom["recording_enabled"]!.GetValue<bool>());
        var teams = V012.StartBody(new JsonObject { ["platform"] = "teams", ["native_meeting_id"] = "9876543210123" });
        Assert.Equal("https://teams.live.com/meet/9876543210123", teams["meeting_url"]!.GetValue<string>());
        var meet = V012.StartBody(new JsonObject { ["platform"] = "google_meet", ["native_meeting_id"] = "abc-defg-hij" });
        Assert.Null(meet["meeting_url"]); // 0.12 builds Meet URLs itself
        Assert.Null(WholesalerGenerations.September2025.StartBody(new JsonObject { ["platform"] = "zoom", ["native_meeting_id"] = "1" })["meeting_url"]);
    }

    [Fact]
    public void A_0_12_stop_reads_as_2025_09s()
    {
        var accepted = V012.Translate(WholesalerOperation.Stop, new WholesalerResponse(200, new JsonObject { ["status"] = "stopping", ["meeting_id"] = 5 }, "x"));
        Assert.Equal((202, "Stop request accepted and is being processed."), (accepted.Status, accepted.Body!["message"]!.GetValue<string>()));
        var nothing = V012.Translate(WholesalerOperation.Stop, new WholesalerResponse(404, new JsonObject { ["detail"] = "No active meeting for this bot" }, "x"));
        Assert.Equal((404, "No meeting found to stop."), (nothing.Status, nothing.Detail));
        // Other operations' answers pass as they are.
        var transcript = new WholesalerResponse(200, new JsonObject(), "x");
        Assert.Same(transcript, V012.Translate(WholesalerOperation.Transcript, transcript));
    }

    [Fact]
    public void Only_the_bot_caps_429_is_a_refusal()
    {
        Assert.True(V012.IsRefusal429(WholesalerOperation.Start, "User has reached the maximum concurrent bot limit (3)."));
        Assert.False(V012.IsRefusal429(WholesalerOperation.Start, "Rate limit exceeded"));
        Assert.False(V012.IsRefusal429(WholesalerOperation.Stop, "User has reached the maximum concurrent bot limit (3)."));
        Assert.False(WholesalerGenerations.Hosted15.IsRefusal429(WholesalerOperation.Start, "User has reached the maximum concurrent bot limit (3)."));
        Assert.Equal(403, V012.Translate(WholesalerOperation.Start, new WholesalerResponse(429, null, "x")).Status);
    }

    [Fact]
    public void A_mapped_meetings_transcript_is_read_by_id_where_meeting_id_is_ignored()
    {
        Assert.Equal("transcripts/by-id/42", V012.TranscriptPath("google_meet", "abc-defg-hij", 42));
        Assert.Equal("transcripts/google_meet/abc-defg-hij", V012.TranscriptPath("google_meet", "abc-defg-hij", null));
        Assert.Equal("transcripts/teams/12%2034?meeting_id=42", WholesalerGenerations.Hosted15.TranscriptPath("teams", "12 34", 42));
    }

    [Fact]
    public void A_0_12_running_row_reads_as_the_container_2025_09_listed()
    {
        var bot = V012.RunningBot(new JsonObject
        {
            ["id"] = 7L, ["platform"] = "google_meet", ["native_meeting_id"] = "abc-defg-hij", ["status"] = "active",
            ["bot_container_id"] = "mtg-7-1a2b3c4d", ["created_at"] = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ss.ffffff") + "Z",
        })!;
        Assert.Equal(["container_id", "container_name", "platform", "native_meeting_id", "status", "created_at", "labels", "meeting_id_from_name"],
            bot.Select(p => p.Key));
        Assert.Equal(("7", "vexa-bot-7-1a2b3c4d", "Up 5 minutes"), (bot["meeting_id_from_name"]!.GetValue<string>(),
            bot["container_name"]!.GetValue<string>(), bot["status"]!.GetValue<string>()));
        Assert.Null(V012.RunningBot(new JsonObject { ["platform"] = "zoom" }));
    }

    [Fact]
    public void Planned_and_shared_rows_are_not_the_system_users_meetings()
    {
        Assert.Null(V012.ListedMeeting(new JsonObject { ["id"] = 1, ["status"] = "scheduled" }));
        Assert.Null(V012.ListedMeeting(new JsonObject { ["id"] = 1, ["status"] = "active", ["shared"] = true }));
        Assert.NotNull(V012.ListedMeeting(new JsonObject { ["id"] = 1, ["status"] = "active", ["shared"] = false }));
    }

    [Theory]
    [InlineData("0.12", 600)] // the per-address guard: 600 a minute, ten refusals ban the address for an hour
    [InlineData("1.5", 120)]  // 120 a minute per key
    public void A_generations_budget_stays_under_its_limit_in_any_minute(string name, int perMinute)
    {
        var generation = WholesalerGenerations.Named(name)!;
        Assert.True(generation.BudgetBurst + generation.BudgetPerSecond * 60 < perMinute,
            $"{generation.BudgetBurst} + {generation.BudgetPerSecond}/s × 60 s must stay under {perMinute}");
    }

    [Fact]
    public void Zero_calls_left_in_the_hosted_window_pauses_for_one_calls_share_of_it()
    {
        using var none = new HttpResponseMessage(HttpStatusCode.OK);
        none.Headers.Add("X-RateLimit-Remaining", "0");
        none.Headers.Add("X-RateLimit-Limit", "120");
        Assert.Equal(TimeSpan.FromSeconds(0.5), WholesalerBudgetHandler.RemainingPause(none));
        using var some = new HttpResponseMessage(HttpStatusCode.OK);
        some.Headers.Add("X-RateLimit-Remaining", "3");
        Assert.Null(WholesalerBudgetHandler.RemainingPause(some));
        using var unsaid = new HttpResponseMessage(HttpStatusCode.OK);
        Assert.Null(WholesalerBudgetHandler.RemainingPause(unsaid));
    }
}
