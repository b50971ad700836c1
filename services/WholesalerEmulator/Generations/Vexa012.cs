using System.Text.Json.Nodes;

namespace VexaService.WholesalerEmulator.Generations;

/// <summary>
/// Self-hosted Vexa 0.12 (commit 4647c96e; vexa-0.12.md): the gateway's 401s and <c>/auth/me</c>, Zoom only with a
/// <c>meeting_url</c>, 429 at the bot cap, DELETE /bots 200 or 404, no bot reconfiguration, meeting rows in
/// <c>/bots/status</c>, 50 meetings a page, <c>?meeting_id=</c> ignored but <c>/transcripts/by-id</c>, epoch segments,
/// no PATCH of <c>data</c>, timestamps in <c>Z</c>, v1 webhooks naming only the bot's connection for status changes.
/// </summary>
public sealed class Vexa012 : EmulatedGeneration
{
    public override string Name => "0.12";
    public override (string Title, string Version) OpenApiInfo => ("Vexa API Gateway (v0.12)", "0.1.0");
    public override bool WelcomesAtRoot => false;
    public override bool HasGatewayAuth => true;
    public override bool SendsV1Frames => true;
    public override bool WritesUtcSuffix => true;
    public override bool HasBotConfig => false;
    public override bool HonoursMeetingIdQuery => false;
    public override bool HasTranscriptById => true;
    public override bool WritesEpochSegments => true;
    public override int? MeetingsDefaultLimit => 50;
    public override bool PatchesMeetingData => false;
    public override bool CompletedImpliesAdmitted => true;
    public override WebhookStyle Webhooks => WebhookStyle.V1PerAdvance;
    public override RateLimitStyle RateLimits => RateLimitStyle.AddressGuardAndUserBucket;
    public override bool StopAnswersWithRow => true;
    public override bool ListsRunningMeetingRows => true;
    public override bool ShowsWebhookSettings => true;
    public override bool KeepsDeletedMeetingRow => true;

    public override string NotFinalForDeletion(string status) => "Meeting artifacts can only be deleted after the lifecycle is terminal";
    public override string NothingToStop => "No active meeting for this bot";

    public override bool RequiresMeetingUrl(string platform) => platform == Services.Platforms.Zoom;

    public override (int Status, string Detail) LimitReached(int running, int limit) =>
        (StatusCodes.Status429TooManyRequests, $"User has reached the maximum concurrent bot limit ({limit}).");

    public override string AlreadyRunning(string platform, string nativeId, long meetingId) =>
        $"An active meeting already exists for {platform}/{nativeId}";

    /// <summary>0.12's row: times in Z, <c>completion_reason</c>/<c>failure_stage</c> on top, <c>data.sessions</c>.</summary>
    public override JsonObject Meeting(JsonObject legacy, Services.Meeting meeting)
    {
        foreach (var field in (string[])["start_time", "end_time", "created_at", "updated_at"])
        {
            if (legacy[field] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                legacy[field] = text + "Z";
            }
        }
        legacy["completion_reason"] = meeting.CompletionReason;
        legacy["failure_stage"] = meeting.FailureStage;
        legacy["shared"] = false;
        if (meeting.ConnectionId is { } connection && legacy["data"] is JsonObject data)
        {
            data["sessions"] = new JsonArray(connection);
        }
        return legacy;
    }
}
