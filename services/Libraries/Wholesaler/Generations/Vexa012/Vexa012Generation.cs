using System.Globalization;
using System.Text.Json.Nodes;

namespace VexaService.Wholesaler.Generations.Vexa012;

/// <summary>
/// Self-hosted Vexa 0.12 (commit 4647c96e; vexa-0.12.md). What differs from 2025-09 and how it reads here, by the row of
/// §7.1: (4) Zoom and Teams bots get a <c>meeting_url</c>; (5) the bot cap's 429 is a refusal, read as 2025-09's 403;
/// (9) DELETE /bots' 200 is 2025-09's 202, its 404 "nothing live"; (10) no reconfiguration; (11) meeting rows in
/// <c>/bots/status</c> read as containers; (12) meetings listed a page at a time, planned and shared rows left out;
/// (13) a meeting's transcript by id; (20-22) our callback registered with a secret and every event; (26) a budget under
/// its 600 calls a minute per address. Rows 14 and 17 are read the same for every generation (WholesalerSegmentsJson,
/// WholesalerMeetingJson), rows 19 and 23-25 where webhooks and <c>/ws</c> are received.
/// </summary>
public sealed class Vexa012Generation : WholesalerGeneration
{
    public const string GenerationName = "0.12";

    public override string Name => GenerationName;

    /// <summary>8 a second and 60 at once: at most 540 calls in any minute, under the guard's 600 per address (and its
    /// hour-long ban), and far under the 40 a second per user.</summary>
    public override double BudgetPerSecond => 8;
    public override int BudgetBurst => 60;

    public override bool SignsWebhooks => true;
    public override bool HasAuthMe => true;
    public override bool CanReconfigure => false;

    /// <summary>0.12 builds Meet URLs itself, but needs a Zoom URL and builds Teams URLs of a form our numeric
    /// teams.live.com ids are not; and it records audio unless told not to (2025-09 did not record).</summary>
    public override JsonObject StartBody(JsonObject ours)
    {
        var body = (JsonObject)ours.DeepClone();
        var nativeId = ours["native_meeting_id"]?.GetValue<string>() ?? "";
        var passcode = ours["passcode"]?.GetValue<string>();
        var url = ours["platform"]?.GetValue<string>() switch
        {
            "zoom" => $"https://zoom.us/j/{Uri.EscapeDataString(nativeId)}" + (passcode is null ? "" : $"?pwd={Uri.EscapeDataString(passcode)}"),
            "teams" => $"https://teams.live.com/meet/{Uri.EscapeDataString(nativeId)}" + (passcode is null ? "" : $"?p={Uri.EscapeDataString(passcode)}"),
            _ => null,
        };
        if (url is not null)
        {
            body["meeting_url"] = url;
        }
        body["recording_enabled"] = false;
        return body;
    }

    public override bool IsRefusal429(WholesalerOperation operation, string? detail) =>
        operation == WholesalerOperation.Start && detail?.StartsWith("User has reached the maximum concurrent", StringComparison.Ordinal) == true;

    public override WholesalerResponse Translate(WholesalerOperation operation, WholesalerResponse answer) => (operation, answer.Status) switch
    {
        (WholesalerOperation.Start, 429) => answer with { Status = 403 },
        (WholesalerOperation.Stop, 200) => answer with { Status = 202, Body = Message("Stop request accepted and is being processed.") },
        (WholesalerOperation.Stop, 404) => answer with { Body = new JsonObject { ["detail"] = "No meeting found to stop." } },
        (WholesalerOperation.DeleteMeeting, 200) => answer with { Body = Message("Meeting transcripts deleted.") },
        _ => answer,
    };

    /// <summary><c>?meeting_id=</c> is ignored by 0.12; <c>/transcripts/by-id/{id}</c> reads exactly that meeting.</summary>
    public override string TranscriptPath(string platform, string nativeId, long? wholesalerMeetingId) => wholesalerMeetingId is { } id
        ? $"transcripts/by-id/{id.ToString(CultureInfo.InvariantCulture)}"
        : base.TranscriptPath(platform, nativeId, null);

    /// <summary>A meeting row of <c>/bots/status</c> as the container 2025-09 listed for it.</summary>
    public override JsonObject? RunningBot(JsonObject row)
    {
        if (WholesalerMeetingJson.Id(row) is not { } id)
        {
            return null;
        }
        var created = WholesalerMeetingJson.Time(row["created_at"]);
        var ours = id.ToString(CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["container_id"] = WholesalerMeetingJson.Text(row, "bot_container_id"),
            ["container_name"] = $"vexa-bot-{ours}-{(WholesalerMeetingJson.Text(row, "bot_container_id") ?? "").Split('-')[^1]}",
            ["platform"] = WholesalerMeetingJson.Text(row, "platform"),
            ["native_meeting_id"] = WholesalerMeetingJson.Text(row, "native_meeting_id"),
            ["status"] = created is { } at ? DockerUptime.Status(DateTime.UtcNow - at) : "Up",
            ["created_at"] = created is { } t ? Contracts.VexaDateTime.WithOffset(t) : null,
            ["labels"] = new JsonObject(),
            ["meeting_id_from_name"] = ours,
        };
    }

    public override bool PagesMeetings => true;

    /// <summary>Planned rows (<c>idle</c>, <c>scheduled</c>) never come from our traffic, and rows shared with our
    /// system user are not its own.</summary>
    public override JsonObject? ListedMeeting(JsonObject item) =>
        WholesalerMeetingJson.Text(item, "status") is "idle" or "scheduled" || item["shared"] is JsonValue shared && shared.TryGetValue<bool>(out var s) && s
            ? null
            : item;

    public override JsonObject WebhookRegistration(string url, string secret) => V1Webhooks.Registration(url, secret);

    private static JsonObject Message(string text) => new() { ["message"] = text };
}
