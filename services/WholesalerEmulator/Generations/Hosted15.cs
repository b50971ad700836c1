namespace VexaService.WholesalerEmulator.Generations;

/// <summary>
/// The hosted Vexa API as its "API 1.5.0" contract describes it (vexa-0.12.md, column 1.5.0 of §7.1): the gateway's 401s,
/// <c>/auth/me</c>, paged <c>GET /bots</c>, <c>needs_human_help</c>, v1 webhooks one per change, 120 calls a minute per key;
/// otherwise the 2025-09 shapes (202 stops, container rows in <c>/bots/status</c>, <c>?meeting_id=</c>, naive times).
/// </summary>
public sealed class Hosted15 : EmulatedGeneration
{
    public override string Name => "1.5";
    public override (string Title, string Version) OpenApiInfo => ("Vexa API Gateway", "1.5.0");
    public override bool HasGatewayAuth => true;
    public override bool SendsV1Frames => true;
    public override WebhookStyle Webhooks => WebhookStyle.V1OnePerChange;
    public override RateLimitStyle RateLimits => RateLimitStyle.KeyWindow;

    public override (int Status, string Detail) LimitReached(int running, int limit) => limit == 0
        ? (StatusCodes.Status403Forbidden, "Concurrent bot quota is depleted (limit is 0). Contact support to raise it.")
        : (StatusCodes.Status403Forbidden, $"Concurrent bot limit reached ({running}/{limit}).");

    public override string AlreadyRunning(string platform, string nativeId, long meetingId) =>
        "An active or requested meeting already exists for this platform and meeting ID.";
}
