using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using VexaService.Data;
using VexaService.Wholesaler;
using VexaService.Wholesaler.Generations;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// The signed webhooks of today's Vexa, kept in PostgreSQL (<see cref="WholesalerWebhook"/>) from receipt until applied.
/// <see cref="AcceptAsync"/> stores one (a redelivery of the same <c>event_id</c> is refused by the key) so that the
/// receiver can answer at once; the processor, on every replica, takes due rows (<c>FOR UPDATE SKIP LOCKED</c>), finds
/// the meeting (by id, or by the bot connection we saved at spawn), and hands the event, in 2025-09's shape, to
/// <see cref="WebhookRelay"/>, which confirms it against the Wholesaler. A row whose meeting or confirmation is not there
/// yet (a status that beat the start's answer, an outage) is tried again later; nothing is dropped for a problem of ours.
/// </summary>
public sealed class WholesalerWebhookInbox(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider time,
    ILogger<WholesalerWebhookInbox> logger) : BackgroundService
{
    /// <summary>Tries before an event whose meeting stays unknown, or unconfirmed, is given up (about ten minutes).</summary>
    public const int MaxAttempts = 12;

    private const string Busy = "budget";

    public static readonly TimeSpan Kept = TimeSpan.FromHours(48);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private DateTimeOffset _lastCleanup = DateTimeOffset.MinValue;

    public enum Accepted { New, Duplicate }

    /// <summary>Stores the envelope; <see cref="Accepted.Duplicate"/> when its <c>event_id</c> is here already.</summary>
    public async Task<Accepted> AcceptAsync(VexaDbContext db, string eventId, string eventType, string body, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO wholesaler_webhooks (event_id, event_type, body, received_at, next_attempt_at, attempts)
            VALUES ({eventId}, {eventType}, {body}::jsonb, {now}, {now}, 0)
            ON CONFLICT (event_id) DO NOTHING
            """, ct);
        if (inserted == 0)
        {
            return Accepted.Duplicate;
        }
        Wake();
        return Accepted.New;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled)
        {
            return; // this replica receives and stores, others apply (WebhookOptions.DispatcherEnabled)
        }
        var idle = options.Value.PollInterval < TimeSpan.FromSeconds(2) ? options.Value.PollInterval : TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await PassAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A store outage (or anything else) costs this pass, never the service: the rows wait in PostgreSQL.
                logger.LogWarning("Wholesaler webhooks not processed this pass: {Error}", e.GetBaseException().Message);
            }
            if (!busy)
            {
                await _wake.WaitAsync(idle, stoppingToken);
            }
        }
    }

    private sealed record Claimed(string EventId, string Body, int Attempts);

    /// <summary>Applies the due rows; whether there were any.</summary>
    private async Task<bool> PassAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        List<Claimed> claimed;
        using (SuppressInstrumentationScope.Begin()) // an idle pass is not a trace
        {
            if (time.GetUtcNow() - _lastCleanup > TimeSpan.FromMinutes(10))
            {
                _lastCleanup = time.GetUtcNow();
                var before = now - Kept;
                await db.WholesalerWebhooks.Where(w => w.ProcessedAt != null && w.ProcessedAt < before).ExecuteDeleteAsync(ct);
            }
            claimed = await ClaimAsync(db, now, ct);
        }
        return await ApplyAllAsync(scope.ServiceProvider, db, claimed, ct);
    }

    /// <summary>Up to 20 due rows, taken: they move a minute ahead, so another replica leaves them alone meanwhile and a
    /// crash retries them then.</summary>
    private static Task<List<Claimed>> ClaimAsync(VexaDbContext db, DateTime now, CancellationToken ct)
    {
        var taken = now.AddMinutes(1);
        return db.Database.SqlQuery<Claimed>($"""
            UPDATE wholesaler_webhooks SET next_attempt_at = {taken}, attempts = attempts + 1
            WHERE event_id IN (SELECT event_id FROM wholesaler_webhooks
                               WHERE processed_at IS NULL AND next_attempt_at <= {now}
                               ORDER BY received_at LIMIT 20 FOR UPDATE SKIP LOCKED)
            RETURNING event_id, body::text AS body, attempts
            """).ToListAsync(ct);
    }

    private async Task<bool> ApplyAllAsync(IServiceProvider services, VexaDbContext db, List<Claimed> claimed, CancellationToken ct)
    {
        foreach (var row in claimed)
        {
            var (outcome, retry) = await ApplyAsync(services, db, row, ct);
            if (outcome == Busy)
            {
                // Our own call budget, not the event: this try does not count, and none of the rest is tried now.
                var afterBudget = time.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(1);
                await db.WholesalerWebhooks.Where(w => w.ProcessedAt == null && claimed.Select(c => c.EventId).Contains(w.EventId))
                    .ExecuteUpdateAsync(w => w.SetProperty(x => x.NextAttemptAt, afterBudget).SetProperty(x => x.Attempts, x => x.Attempts - 1), ct);
                return true;
            }
            if (retry && row.Attempts < MaxAttempts)
            {
                var later = time.GetUtcNow().UtcDateTime + TimeSpan.FromMilliseconds(250 * Math.Pow(2, Math.Min(row.Attempts, 11)));
                await db.WholesalerWebhooks.Where(w => w.EventId == row.EventId)
                    .ExecuteUpdateAsync(w => w.SetProperty(x => x.NextAttemptAt, later).SetProperty(x => x.Outcome, outcome), ct);
                continue;
            }
            if (retry)
            {
                logger.LogWarning("Gave up Wholesaler webhook {EventId} after {Attempts} tries: {Outcome}", row.EventId, row.Attempts, outcome);
            }
            var done = time.GetUtcNow().UtcDateTime;
            await db.WholesalerWebhooks.Where(w => w.EventId == row.EventId)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.ProcessedAt, done).SetProperty(x => x.Outcome, outcome), ct);
        }
        return claimed.Count > 0;
    }

    /// <returns>What came of it, and whether to try again later.</returns>
    private async Task<(string Outcome, bool Retry)> ApplyAsync(IServiceProvider services, VexaDbContext db, Claimed row, CancellationToken ct)
    {
        if (JsonNode.Parse(row.Body) is not JsonObject envelope)
        {
            return ("unreadable", false);
        }
        ConnectedMeeting? connected = null;
        if (V1Webhooks.ConnectionId(envelope) is { } connection)
        {
            connected = await db.Meetings.AsNoTracking()
                .Where(m => m.WholesalerConnectionId == connection && m.WholesalerMeetingId != null)
                .OrderByDescending(m => m.Id)
                .Select(m => new ConnectedMeeting(m.WholesalerMeetingId!.Value, m.Platform, m.NativeMeetingId))
                .FirstOrDefaultAsync(ct);
            if (connected is null)
            {
                return ("unknown_connection", true); // its start's answer may not be saved yet
            }
        }
        if (V1Webhooks.ToLegacy(envelope, connected) is not { } legacy)
        {
            return ("ignored", false);
        }
        try
        {
            using var background = WholesalerPriority.Background(); // a confirmation; users' calls go first
            var outcome = await services.GetRequiredService<WebhookRelay>().AcceptAsync(legacy, ct);
            return outcome == WebhookRelay.Outcome.UnknownMeeting ? ("unknown_meeting", true) : (outcome.ToString().ToLowerInvariant(), false);
        }
        catch (WholesalerUnavailableException e) when (e.Detail == WholesalerUnavailableException.Busy)
        {
            return (Busy, true);
        }
        catch (WholesalerUnavailableException e)
        {
            return ($"unconfirmed: {e.Detail}", true);
        }
    }
}
