using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace VexaService.Data;

/// <summary>
/// A PostgreSQL advisory lock per (platform, native id), held until the caller's transaction ends. Bot starts take it
/// while they reserve their row; meeting deletions hold it while they decide whether the Wholesaler may be asked to
/// delete. The Wholesaler deletes by native id its <em>newest</em> meeting, so without this a start (or a second delete)
/// could slip between a deletion's check and its delete and make it remove another user's meeting.
/// </summary>
public static class MeetingLock
{
    // The two-key form: its key space never overlaps the single-key locks (the reconciler's) whatever the hash.
    private const int LockClass = 0x7665_786D; // "vexm"

    /// <summary>Waits for the lock; call inside a transaction (it is released at commit or rollback).</summary>
    public static Task LockMeetingAsync(this DatabaseFacade database, string platform, string nativeId, CancellationToken ct) =>
        database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockClass}, hashtext({platform + "/" + nativeId}))", ct);
}
