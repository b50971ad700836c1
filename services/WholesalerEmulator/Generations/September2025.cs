namespace VexaService.WholesalerEmulator.Generations;

/// <summary>Vexa's main branch at 2025-09-30 (contract §12, §14, §15): statuses pushed as <c>meeting.status_change</c>
/// webhooks, <c>passcode</c>, <c>?meeting_id=</c> on transcripts, <c>/ws</c>. The defaults of <see cref="EmulatedGeneration"/>.</summary>
public sealed class September2025 : EmulatedGeneration
{
    public override string Name => "2025-09";
    public override (string Title, string Version) OpenApiInfo => ("Vexa API Gateway", "1.2.0");
}
