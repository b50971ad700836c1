namespace VexaService.WholesalerEmulator.Generations;

/// <summary>Vexa at commit dfc7c83e (contract vexa-api.md): a bot is <c>active</c> in POST /bots' answer, only the
/// completion webhook is sent, DELETE /bots stops only an active bot.</summary>
public sealed class Dfc7c83e : EmulatedGeneration
{
    public override string Name => "dfc7c83e";
    public override bool PushesStatuses => false;
    public override (string Title, string Version) OpenApiInfo => ("Vexa API Gateway", "1.2.0");
    public override string NothingToStop => "Active meeting not found.";
}
