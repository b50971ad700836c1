using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>A subscribed meeting as <see cref="MeetingStore.Live"/> found it: its status, how many segments are visible
/// and final, the segments new or finalised since the subscription last looked (<paramref name="Changed"/>, their indexes
/// in <paramref name="ChangedIndexes"/>), the indexes retracted so far, and (for the end) all of them by index.</summary>
public sealed record LiveView(long MeetingId, string Status, int Visible, int Final, IReadOnlyList<TranscriptSegment> Changed,
    Func<IReadOnlyList<TranscriptSegment>> All, IReadOnlyList<int> ChangedIndexes, IReadOnlyList<int> Retracted,
    string Platform, string NativeId, DateTime SessionStart);
