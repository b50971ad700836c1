using VexaService.Wholesaler.Generations.Hosted15;
using VexaService.Wholesaler.Generations.Legacy;
using VexaService.Wholesaler.Generations.Vexa012;

namespace VexaService.Wholesaler.Generations;

/// <summary>The Vexas we resell, by the names <c>Wholesaler:Generation</c> accepts.</summary>
public static class WholesalerGenerations
{
    public const string Auto = "auto";

    public static readonly WholesalerGeneration Dfc7c83e = new LegacyGeneration("dfc7c83e");
    public static readonly WholesalerGeneration September2025 = new LegacyGeneration("2025-09");
    public static readonly WholesalerGeneration Vexa012 = new Vexa012Generation();
    public static readonly WholesalerGeneration Hosted15 = new Hosted15Generation();

    public static readonly IReadOnlyList<WholesalerGeneration> All = [Dfc7c83e, September2025, Vexa012, Hosted15];

    public static WholesalerGeneration? Named(string? name) => All.FirstOrDefault(g => g.Name == name);
}
