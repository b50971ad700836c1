namespace VexaService.WholesalerEmulator.Models;

/// <summary>Faults applied to every Vexa path (not to <c>/_emulator</c> or the health probes).</summary>
/// <param name="Mode"><c>normal</c>, <c>refuse</c> (abort the connection) or <c>hang</c> (never answer).</param>
public sealed record FaultSettings(int LatencyMs, double ErrorRate, int ErrorStatus, string Mode)
{
    public static readonly FaultSettings None = new(0, 0.0, StatusCodes.Status503ServiceUnavailable, "normal");
}

/// <summary>What the emulator has received since start or the last reset.</summary>
public sealed record StatsResponse(
    long RequestsTotal,
    IReadOnlyDictionary<string, long> ApiKeysSeen,
    IReadOnlyDictionary<string, long> TranscriptRequests,
    long BotStarts,
    long MeetingListings);

/// <summary>Same body as bot-manager's exit callback answer.</summary>
public sealed record ExitCallbackResponse(string Status, long MeetingId, string FinalStatus);
