using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using VexaService.Data;
using VexaService.Wholesaler;

namespace VexaService.BotManager.Services;

public sealed class ReconcilerOptions
{
    public const string Section = "Reconciler";

    /// <summary>How often the follower polls: the time a status change takes to show when no webhook pushes it.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows and bots younger than this may still be in flight and are left alone.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A meeting on its way in (requested, joining, awaiting admission, or a status we don't know) that no webhook has
    /// moved for this long is looked up: its push may be lost, or this Wholesaler does not push.
    /// </summary>
    public TimeSpan PushGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A meeting the Wholesaler calls live whose bot has been missing from its running bots this long is failed.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Follows the Wholesaler where its webhooks don't, and heals what a crash or a lost answer leaves between our table
/// and the Wholesaler: a <c>requested</c> row whose bot the Wholesaler did start is adopted (completed), one whose bot
/// never started is marked failed; a Wholesaler bot that no user owns is stopped; a live row whose status no webhook has
/// moved for a few seconds, or whose bot has left, takes the Wholesaler's status, and is marked failed when the
/// Wholesaler has no such meeting or keeps it live without a bot, which frees quota slots. One replica runs it at a
/// time (a PostgreSQL advisory lock): the deployment's one follower, never a user request.
/// Each pass asks for the running bots, which are as many as the live meetings. Vexa's meeting list has no filter and
/// grows with every meeting ever held, so it is fetched only when a pass has something to repair that the running
/// bots cannot explain: a crashed start, or a live row whose bot has stopped with no completion webhook within the grace.
/// </summary>
public sealed class BotReconciler(
    IServiceScopeFactory scopes, IOptions<ReconcilerOptions> options, ILogger<BotReconciler> logger) : BackgroundService
{
    /// <summary>The PostgreSQL advisory lock held by the replica that follows (one at a time).</summary>
    public const long AdvisoryLockKey = 0x7665_7861_7263; // "vexarc"
    private static readonly ActivitySource Tracing = new(typeof(BotReconciler).Assembly.GetName().Name!);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // A pass every few seconds that finds nothing to do is not a trace; one that changed something is one
                // trace of its own (its queries and calls are not traced: its log lines say what it did).
                var started = DateTimeOffset.UtcNow;
                ReconcileReport report;
                using (SuppressInstrumentationScope.Begin())
                using (WholesalerPriority.Background()) // bookkeeping: calls users wait on go first
                {
                    report = await RunOnceAsync(stoppingToken);
                }
                if (report != new ReconcileReport(0, 0, 0, 0))
                {
                    using var activity = Tracing.StartActivity("follow the Wholesaler", ActivityKind.Internal, parentContext: default,
                        startTime: started);
                    activity?.SetTag("vexa.reconcile.adopted", report.Adopted).SetTag("vexa.reconcile.failed", report.Failed)
                        .SetTag("vexa.reconcile.updated", report.Updated).SetTag("vexa.reconcile.stopped", report.Stopped);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reconciliation pass failed; the next pass retries");
            }
        }
    }

    /// <returns>What the pass changed, for logs and tests.</returns>
    public async Task<ReconcileReport> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var wholesaler = scope.ServiceProvider.GetRequiredService<WholesalerClient>();

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({AdvisoryLockKey}) AS \"Value\"").SingleAsync(ct);
            if (!locked)
            {
                return new ReconcileReport(0, 0, 0, 0);
            }
            try
            {
                return await ReconcileAsync(db, wholesaler, scope.ServiceProvider.GetRequiredService<MeetingStatusWriter>(), ct);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<ReconcileReport> ReconcileAsync(VexaDbContext db, WholesalerClient wholesaler, MeetingStatusWriter writer,
        CancellationToken ct)
    {
        // The running bots answer most questions, at a cost that grows with live meetings only.
        var (running, issuer) = await wholesaler.ListRunningBotsAsync(ct);
        var runningIds = WholesalerBotJson.MeetingIds(running);
        var settled = DateTime.UtcNow - options.Value.Grace;
        int adopted = 0, failed = 0, updated = 0, stopped = 0;

        // Rows whose start never completed (only a crash leaves them), and live rows whose bot has stopped although no
        // completion webhook has reached us within the grace period (a lost webhook).
        var pending = await db.Meetings.Where(m => m.WholesalerMeetingId == null && m.Status == MeetingStatus.Requested && m.CreatedAt < settled)
            .ToListAsync(ct);
        var live = await db.Meetings.Where(m => m.WholesalerMeetingId != null && !MeetingStatus.Final.Contains(m.Status)).ToListAsync(ct);
        // A row mapped by another Wholesaler (address changed, or an instance that lost its state) has no bot here.
        var foreign = live.Where(m => m.WholesalerIssuer != issuer).ToList();
        live = live.Except(foreign).ToList();
        // What this pass decides, applied row by row through the status writer at the end: each decision is checked
        // again on the locked row, so a webhook that moved the meeting meanwhile wins over an older answer.
        var decisions = new List<(Meeting Row, Func<Meeting, bool> Apply, Action Count)>();
        foreach (var row in foreign)
        {
            decisions.Add((row, WholesalerMeetingJson.MarkFailed, () => failed++));
        }
        var now = DateTime.UtcNow;
        foreach (var row in live)
        {
            row.BotMissingSince = runningIds.Contains(row.WholesalerMeetingId!.Value) ? null : row.BotMissingSince ?? now;
        }
        var botGone = live.Where(m => m.BotMissingSince is not null && m.UpdatedAt < settled).ToHashSet();
        // Meetings on their way in whose next status no webhook has brought (a lost push, or a Wholesaler that does not push).
        var unpushed = live.Where(m => MeetingStatus.Rank(m.Status) is not { } rank || rank < MeetingStatus.Rank(MeetingStatus.Active))
            .Where(m => m.UpdatedAt < now - options.Value.PushGrace).ToList();

        // Only those need the Wholesaler's whole meeting list, which grows with every meeting ever held.
        if (pending.Count > 0 || botGone.Count > 0 || unpushed.Count > 0)
        {
            var (theirs, listedBy) = await wholesaler.ListMeetingsAsync(ct);
            if (listedBy != issuer)
            {
                // The Wholesaler changed between the two answers (restarted, or another one): the next pass decides.
                logger.LogInformation("The Wholesaler changed during a reconciliation pass; nothing decided");
                return new ReconcileReport(0, 0, 0, 0);
            }
            var byId = WholesalerMeetingJson.ById(theirs);
            var liveIds = theirs.Where(m => MeetingStatus.IsLive(WholesalerMeetingJson.Status(m))).Select(WholesalerMeetingJson.Id).OfType<long>().ToList();
            var mapped = await MappedAsync(db, issuer, liveIds, ct);

            foreach (var row in pending)
            {
                var bot = theirs.Where(m => IsLiveFor(m, row.Platform, row.NativeMeetingId) && WholesalerMeetingJson.Id(m) is { } id && !mapped.Contains(id))
                    .MaxBy(m => WholesalerMeetingJson.Id(m));
                if (bot is not null)
                {
                    mapped.Add(WholesalerMeetingJson.Id(bot)!.Value);
                    decisions.Add((row, r => r.WholesalerMeetingId is null && WholesalerMeetingJson.Adopt(bot, issuer, r), () => adopted++));
                }
                else
                {
                    decisions.Add((row, r => r.WholesalerMeetingId is null && WholesalerMeetingJson.MarkFailed(r), () => failed++));
                }
            }

            // Our live rows follow the Wholesaler, now that its answer is here anyway.
            foreach (var row in live)
            {
                if (!byId.TryGetValue(row.WholesalerMeetingId!.Value, out var bot))
                {
                    if (botGone.Contains(row))
                    {
                        decisions.Add((row, WholesalerMeetingJson.MarkFailed, () => failed++)); // gone from the Wholesaler altogether
                    }
                }
                else if (WholesalerMeetingJson.WouldFollow(bot, row))
                {
                    decisions.Add((row, r => WholesalerMeetingJson.Follow(bot, r), () => updated++));
                }
                else if (row.BotMissingSince < now - options.Value.StuckAfter && MeetingStatus.IsLive(WholesalerMeetingJson.Status(bot))
                    // A bot that asked for a person is there by definition; Vexa 0.12 just does not list it as running.
                    && WholesalerMeetingJson.Status(bot) != MeetingStatus.NeedsHelp)
                {
                    // Live at the Wholesaler without a bot for longer than any start or exit takes: a bot that died
                    // without calling back (Vexa leaves such meetings live for ever). Free the slot and the native id.
                    logger.LogWarning("Meeting {MeetingId}: live at the Wholesaler, but its bot has been gone since {Since}; marked failed",
                        row.Id, row.BotMissingSince);
                    decisions.Add((row, WholesalerMeetingJson.MarkFailed, () => failed++));
                }
            }
        }
        await db.SaveChangesAsync(ct); // when each live row's bot went missing
        foreach (var (row, apply, count) in decisions)
        {
            if (await writer.ApplyAsync(row, StatusTransition.Wholesaler, apply, ct))
            {
                count();
            }
        }

        // Running bots that no user owns (and no pending row may still claim) are stopped. Pending rows are read
        // first: a start that commits between the two reads is then seen by the second (owned), never by neither.
        var stillPending = await db.Meetings.Where(m => m.WholesalerMeetingId == null && m.Status == MeetingStatus.Requested)
            .Select(m => new { m.Platform, m.NativeMeetingId }).ToListAsync(ct);
        var owned = await MappedAsync(db, issuer, runningIds, ct);
        foreach (var bot in running.Where(b => WholesalerBotJson.MeetingId(b) is { } id && !owned.Contains(id)))
        {
            var platform = WholesalerMeetingJson.Text(bot, "platform");
            var nativeId = WholesalerMeetingJson.Text(bot, "native_meeting_id");
            if (platform is null || nativeId is null || stillPending.Any(p => p.Platform == platform && p.NativeMeetingId == nativeId))
            {
                continue;
            }
            logger.LogWarning("Stopping Wholesaler bot {WholesalerMeetingId} that no user owns", WholesalerBotJson.MeetingId(bot));
            if ((await wholesaler.StopBotAsync(platform, nativeId, ct)).Status == StatusCodes.Status202Accepted)
            {
                stopped++; // a bot already stopping is refused (404) and simply runs out
            }
        }

        if (adopted + failed + updated + stopped > 0)
        {
            logger.LogInformation("Reconciled: {Adopted} adopted, {Failed} marked failed, {Updated} updated, {Stopped} orphan bots stopped",
                adopted, failed, updated, stopped);
        }
        return new ReconcileReport(adopted, failed, updated, stopped);
    }

    /// <summary>Which of these Wholesaler meetings one of our rows maps.</summary>
    private static async Task<HashSet<long>> MappedAsync(VexaDbContext db, string issuer, IReadOnlyCollection<long> wholesalerIds,
        CancellationToken ct) =>
        wholesalerIds.Count == 0 ? [] : (await db.Meetings
            .Where(m => m.WholesalerIssuer == issuer && m.WholesalerMeetingId != null && wholesalerIds.Contains(m.WholesalerMeetingId.Value))
            .Select(m => m.WholesalerMeetingId!.Value).ToListAsync(ct)).ToHashSet();

    private static bool IsLiveFor(JsonObject bot, string platform, string nativeId) =>
        WholesalerMeetingJson.Text(bot, "platform") == platform && WholesalerMeetingJson.Text(bot, "native_meeting_id") == nativeId
        && MeetingStatus.IsLive(WholesalerMeetingJson.Status(bot));

}

public sealed record ReconcileReport(int Adopted, int Failed, int Updated, int Stopped);
