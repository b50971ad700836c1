using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>A subscribed meeting as <see cref="MeetingStore.Live"/> found it: its status, how many segments are visible
/// and final, the segments new or finalised since the subscription last looked, and (for the end) all of them.</summary>
public sealed record LiveView(long MeetingId, string Status, int Visible, int Final, IReadOnlyList<TranscriptSegment> Changed,
    Func<IReadOnlyList<TranscriptSegment>> All);
