namespace VexaService.Wholesaler.Generations.Legacy;

/// <summary>
/// Vexa as our services were written for: commit dfc7c83e and main up to 2025-09-30 (vexa-api.md). The two differ in
/// what they push (statuses, <c>/ws</c>) and in a few texts, which our code reads either way; so they are one strategy
/// under two names, and a probe cannot tell them apart (both welcome at <c>/</c> and have no <c>/auth/me</c>).
/// </summary>
public sealed class LegacyGeneration(string name) : WholesalerGeneration
{
    public override string Name => name;
}
