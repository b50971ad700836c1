using Microsoft.EntityFrameworkCore;

namespace VexaService.Data;

/// <summary>
/// The one way a meeting's status changes, from every source (the Wholesaler's webhooks and <c>/ws</c> frames, a start,
/// a stop, a transcript read, the reconciler). Each change is decided on the row as it is under its row lock
/// (<c>FOR UPDATE</c>), so two sources never both start from a status they read earlier, and saved with its source:
/// the outbox records the owner's events in the same transaction (<see cref="MeetingEventOutbox"/>, which refuses a
/// status saved any other way). After the commit, <see cref="IMeetingStatusObserver"/>s hear of it (the cached
/// transcript copies are dropped).
/// </summary>
public sealed class MeetingStatusWriter(VexaDbContext db, IEnumerable<IMeetingStatusObserver> observers)
{
    /// <summary>One change: <paramref name="Apply"/> gets the locked, fresh row and says whether it changed it.</summary>
    public sealed record Change(StatusTransition Source, Func<Meeting, bool> Apply);

    /// <summary>
    /// Applies <paramref name="changes"/> in order, each saved on its own (an owner is told every step), in one
    /// transaction. <paramref name="meeting"/> is reloaded first and shows the outcome. Returns whether anything changed.
    /// </summary>
    public async Task<bool> ApplyAsync(Meeting meeting, CancellationToken ct, params Change[] changes)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var changed = await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM meetings WHERE id = {meeting.Id} FOR UPDATE", ct);
            await db.Entry(meeting).ReloadAsync(ct);
            var changed = false;
            try
            {
                foreach (var change in changes)
                {
                    db.Transition = change.Source;
                    if (change.Apply(meeting))
                    {
                        await db.SaveChangesAsync(ct);
                        changed = true;
                    }
                }
            }
            finally
            {
                db.Transition = null;
            }
            await tx.CommitAsync(ct);
            return changed;
        });
        if (changed)
        {
            foreach (var observer in observers)
            {
                await observer.ChangedAsync(meeting);
            }
        }
        return changed;
    }

    /// <summary>Applies one change (<see cref="ApplyAsync(Meeting, CancellationToken, Change[])"/>).</summary>
    public Task<bool> ApplyAsync(Meeting meeting, StatusTransition source, Func<Meeting, bool> apply, CancellationToken ct) =>
        ApplyAsync(meeting, ct, new Change(source, apply));
}

/// <summary>Hears of a meeting's change after it is committed (best effort: a failure here changes nothing saved).</summary>
public interface IMeetingStatusObserver
{
    Task ChangedAsync(Meeting meeting);
}
