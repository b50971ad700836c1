using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace VexaService.Data;

/// <summary>
/// Hears, after the commit, of the users whose meetings were inserted, changed or deleted (any column a response shows),
/// so that what was kept of their reads (the gateway's read cache) is not served again.
/// </summary>
public interface IMeetingOwnerObserver
{
    Task ChangedAsync(IReadOnlyCollection<long> userIds);
}

/// <summary>
/// Tells <see cref="IMeetingOwnerObserver"/>s of every committed change to a meeting, whichever writer made it: every
/// tracked insert, update and delete of <see cref="Meeting"/> is seen here (the status writer, a start, a PATCH, the
/// follower, the reconciler), and the few SQL statements that write meetings directly note their owner with
/// <see cref="NoteAsync"/>. Inside a transaction the owners wait for its commit (told before it, a reader could read
/// the old row after a new generation and keep it); a rollback forgets them. Changes of columns no response shows
/// (the transcript feed's mark, where a transcript was stored) tell nobody.
/// </summary>
public sealed class MeetingOwnerChanges : SaveChangesInterceptor, IDbTransactionInterceptor
{
    public static readonly MeetingOwnerChanges Instance = new();

    private static readonly HashSet<string> Unseen =
        [nameof(Meeting.TranscriptFed), nameof(Meeting.TranscriptStoredAt), nameof(Meeting.BotMissingSince), nameof(Meeting.WholesalerConnectionId)];

    /// <summary>
    /// For a writer that changed a meeting by SQL (not tracked): its owner is told after the commit of the transaction
    /// the statement ran in, or now when it ran in none.
    /// </summary>
    public static Task NoteAsync(VexaDbContext db, long userId) => NoteAsync(db, [userId]);

    private static Task NoteAsync(VexaDbContext db, IReadOnlyCollection<long> owners)
    {
        if (db.Database.CurrentTransaction is not null) // a caller's: SaveChanges' own has committed by the time it is saved
        {
            db.UncommittedOwners.UnionWith(owners);
            return Task.CompletedTask;
        }
        return TellAsync(db, owners);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SavedAsync(eventData.Context).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        await SavedAsync(eventData.Context);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is VexaDbContext db)
        {
            db.SavingOwners.Clear();
        }
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    private static void Collect(DbContext? context)
    {
        if (context is not VexaDbContext db)
        {
            return;
        }
        db.ChangeTracker.DetectChanges();
        foreach (var entry in db.ChangeTracker.Entries<Meeting>())
        {
            if (entry.State is EntityState.Added or EntityState.Deleted
                || entry.State == EntityState.Modified && entry.Properties.Any(p => p.IsModified && !Unseen.Contains(p.Metadata.Name)))
            {
                db.SavingOwners.Add(entry.Entity.UserId);
            }
        }
    }

    private static Task SavedAsync(DbContext? context)
    {
        if (context is not VexaDbContext db || db.SavingOwners.Count == 0)
        {
            return Task.CompletedTask;
        }
        long[] owners = [.. db.SavingOwners];
        db.SavingOwners.Clear();
        return NoteAsync(db, owners);
    }

    private static Task TellAsync(VexaDbContext db, IReadOnlyCollection<long> owners)
    {
        var services = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        if (services is null)
        {
            return Task.CompletedTask; // a context made by hand (design time, a test's direct writes)
        }
        return Task.WhenAll(services.GetServices<IMeetingOwnerObserver>().Select(o => o.ChangedAsync(owners)));
    }

    private static async Task CommittedAsync(DbContext? context)
    {
        if (context is not VexaDbContext db || db.UncommittedOwners.Count == 0)
        {
            return;
        }
        long[] owners = [.. db.UncommittedOwners];
        db.UncommittedOwners.Clear();
        await TellAsync(db, owners);
    }

    private static void Forget(DbContext? context)
    {
        if (context is VexaDbContext db)
        {
            db.UncommittedOwners.Clear();
        }
    }

    // A new transaction starts clean: owners noted in one that was disposed without a commit are not told.
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData.Context);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        CommittedAsync(eventData.Context).GetAwaiter().GetResult();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default) =>
        CommittedAsync(eventData.Context);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }
}
