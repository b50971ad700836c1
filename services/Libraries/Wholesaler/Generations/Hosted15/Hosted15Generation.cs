namespace VexaService.Wholesaler.Generations.Hosted15;

/// <summary>
/// The hosted Vexa API behind its "API 1.5.0" contract (vexa-0.12.md, column 1.5.0 of §7.1). It keeps 2025-09's shapes
/// for bots, transcripts (<c>?meeting_id=</c>) and stops; what differs: (2, 3) 401s and scoped keys, checked at start
/// through <c>/auth/me</c>; (5) the bot cap's 403 with new text (our code reads any 403 there as the cap); (12) meetings
/// paged; (17) <c>needs_human_help</c>, read as needs_help everywhere; (19-22) v1 webhooks, signed, one per change;
/// (26) 120 calls a minute per key, so a budget of 1.8 a second for all our tenants together.
/// </summary>
public sealed class Hosted15Generation : WholesalerGeneration
{
    public const string GenerationName = "1.5";

    public override string Name => GenerationName;

    /// <summary>1.8 a second and 6 at once: at most 114 calls in any minute, under its 120 per key.</summary>
    public override double BudgetPerSecond => 1.8;
    public override int BudgetBurst => 6;

    public override bool SignsWebhooks => true;
    public override bool HasAuthMe => true;
    public override bool PagesMeetings => true;

    public override System.Text.Json.Nodes.JsonObject WebhookRegistration(string url, string secret) => V1Webhooks.Registration(url, secret);
}
