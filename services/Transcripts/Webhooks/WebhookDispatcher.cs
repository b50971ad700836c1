using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using VexaService.Data;
using VexaService.Observability;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Delivers outbox rows to the owning user's <c>webhook_url</c> (read at send time), retried with exponential backoff,
/// every attempt recorded (the user's delivery log).
/// <list type="bullet">
/// <item>A row is claimed only when it is about to be sent, with a lease longer than one attempt
/// (<see cref="Lease"/>), under <c>FOR UPDATE SKIP LOCKED</c>: two replicas never send the same row.</item>
/// <item>At most one row per user is in flight, and up to <see cref="WebhookOptions.MaxParallelDeliveries"/> users at
/// once, each delivery on its own: a slow receiver holds up only its own user's events.</item>
/// <item>A meeting's rows go out in id order (a row waits while an earlier one of its meeting is pending), so its
/// events arrive in the order they happened.</item>
/// <item>It sleeps until the next row is due, or until a new row is inserted (<see cref="OutboxSignal"/>), rather
/// than querying every second; its queries are not traced, each delivery is (a root span).</item>
/// </list>
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSender sender, OutboxSignal signal, IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger, TimeProvider time, VexaMetrics metrics)
    : BackgroundService
{
    private static readonly ActivitySource Tracing = new(typeof(WebhookDispatcher).Assembly.GetName().Name!);

    /// <summary>Longer than one attempt: a row whose sender died is retried after it, never while it is being sent.</summary>
    private TimeSpan Lease => options.Value.DeliveryTimeout + TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled)
        {
            return;
        }
        signal.Start();
        var inFlight = new Dictionary<long, Task>(); // user id → the delivery being sent
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var done in inFlight.Where(d => d.Value.IsCompleted).Select(d => d.Key).ToList())
            {
                inFlight.Remove(done);
            }
            var wait = options.Value.PollInterval;
            try
            {
                await CountPendingAsync(stoppingToken);
                var free = options.Value.MaxParallelDeliveries - inFlight.Count;
                if (free > 0)
                {
                    var claimed = await ClaimAsync(free, [.. inFlight.Keys], stoppingToken);
                    foreach (var delivery in claimed)
                    {
                        inFlight[delivery.UserId] = Task.Run(async () =>
                        {
                            await DeliverAsync(delivery, stoppingToken);
                            signal.Wake();
                        }, CancellationToken.None);
                    }
                    if (claimed.Count == free)
                    {
                        continue; // there may be more: claim again once a slot frees (the loop waits on the signal)
                    }
                    if (claimed.Count == 0 && await NextDueAsync([.. inFlight.Keys], stoppingToken) is { } due)
                    {
                        var untilDue = due - time.GetUtcNow().UtcDateTime;
                        // Due now but not claimed: another replica holds it for the moment.
                        wait = untilDue < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100)
                            : untilDue < wait ? untilDue : wait;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Webhook delivery pass failed ({Error}); retrying shortly", e.Message);
                wait = TimeSpan.FromSeconds(1);
            }
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(inFlight.Values);
    }

    private long _countedAt;

    /// <summary>The outbox's depth for <see cref="VexaMetrics"/>, counted at most once a second.</summary>
    private async Task CountPendingAsync(CancellationToken ct)
    {
        if (_countedAt != 0 && time.GetElapsedTime(_countedAt) < TimeSpan.FromSeconds(1))
        {
            return;
        }
        _countedAt = time.GetTimestamp();
        using var untraced = SuppressInstrumentationScope.Begin();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        metrics.OutboxDepth(await db.WebhookDeliveries.LongCountAsync(d => d.Status == WebhookDeliveryStatus.Pending, ct));
    }

    /// <summary>One pass, as the loop makes it: claims up to a slot's worth of due rows and delivers them.</summary>
    /// <returns>How many deliveries were attempted.</returns>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(options.Value.MaxParallelDeliveries, [], ct);
        await Task.WhenAll(claimed.Select(d => DeliverAsync(d, ct)));
        return claimed.Count;
    }

    /// <summary>The first due row of up to <paramref name="limit"/> users not in <paramref name="busyUsers"/>.</summary>
    private async Task<List<WebhookDelivery>> ClaimAsync(int limit, long[] busyUsers, CancellationToken ct)
    {
        using var untraced = SuppressInstrumentationScope.Begin(); // an idle pass is not a trace
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + Lease;
        return await db.WebhookDeliveries.FromSql($"""
            WITH candidates AS (
                SELECT d.id, d.user_id FROM webhook_deliveries d
                WHERE d.status = 'pending' AND d.next_attempt_at <= {now} AND d.user_id <> ALL({busyUsers})
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                  WHERE e.meeting_id = d.meeting_id AND e.status = 'pending' AND e.id < d.id)
                ORDER BY d.id LIMIT 200
                FOR UPDATE SKIP LOCKED),
            firsts AS (SELECT DISTINCT ON (user_id) id FROM candidates ORDER BY user_id, id)
            UPDATE webhook_deliveries w SET next_attempt_at = {leaseUntil}
            FROM (SELECT id FROM firsts ORDER BY id LIMIT {limit}) chosen
            WHERE w.id = chosen.id
            RETURNING w.*
            """).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>When the next row this replica could claim falls due; null when there is none.</summary>
    private async Task<DateTime?> NextDueAsync(long[] busyUsers, CancellationToken ct)
    {
        using var untraced = SuppressInstrumentationScope.Begin();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        return await db.Database.SqlQuery<DateTime?>($"""
            SELECT min(d.next_attempt_at) AS "Value" FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.user_id <> ALL({busyUsers})
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                              WHERE e.meeting_id = d.meeting_id AND e.status = 'pending' AND e.id < d.id)
            """).SingleAsync(ct);
    }

    /// <summary>One attempt of a claimed row, and its outcome recorded. Whatever goes wrong counts as an attempt.</summary>
    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        using var activity = Tracing.StartActivity("webhook delivery", ActivityKind.Producer, parentContext: default);
        activity?.SetTag("vexa.webhook.delivery_id", delivery.Id);
        activity?.SetTag("vexa.webhook.event", delivery.EventKey);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
            var owner = await UserWebhook.FindAsync(db, delivery.UserId, ct);
            var now = time.GetUtcNow().UtcDateTime;
            if (owner?.Url is not { } url)
            {
                await RecordAsync(db, delivery.Id, WebhookDeliveryStatus.NoUrl, delivery.Attempts, null, null, now, null);
                return;
            }

            var outcome = await sender.SendAsync(url, owner.Secret, WebhookSignature.WebhookId(delivery.Id), delivery.Payload, ct);
            await RecordOutcomeAsync(db, delivery, outcome);
            activity?.SetTag("vexa.webhook.outcome", outcome.Error ?? "delivered");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and the row is sent again (receivers drop repeats by webhook-id).
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Webhook delivery {DeliveryId} failed unexpectedly", delivery.Id);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RecordOutcomeAsync(scope.ServiceProvider.GetRequiredService<VexaDbContext>(), delivery,
                    new WebhookSender.Outcome(null, e.Message.Length > 500 ? e.Message[..500] : e.Message));
            }
            catch (Exception recordFailure)
            {
                // The lease runs out and the row is tried again.
                logger.LogWarning("Could not record the outcome of webhook delivery {DeliveryId}: {Error}", delivery.Id, recordFailure.Message);
            }
        }
    }

    private async Task RecordOutcomeAsync(VexaDbContext db, WebhookDelivery delivery, WebhookSender.Outcome outcome)
    {
        var attempts = delivery.Attempts + 1;
        var now = time.GetUtcNow().UtcDateTime;
        if (outcome.Delivered)
        {
            metrics.WebhookAttempt("delivered");
            await RecordAsync(db, delivery.Id, WebhookDeliveryStatus.Delivered, attempts, outcome.StatusCode, null, now, now);
            return;
        }
        if (outcome.Unusable || attempts >= options.Value.MaxAttempts)
        {
            logger.LogWarning("Gave up delivering webhook {DeliveryId} after {Attempts} attempts: {Error}", delivery.Id, attempts, outcome.Error);
            metrics.WebhookAttempt("failed");
            await RecordAsync(db, delivery.Id, WebhookDeliveryStatus.Failed, attempts, outcome.StatusCode, outcome.Error, now, null);
            return;
        }
        metrics.WebhookAttempt("retry");
        var backoff = options.Value.RetryBaseDelay * Math.Pow(2, attempts - 1);
        var next = now + (backoff < options.Value.RetryMaxDelay ? backoff : options.Value.RetryMaxDelay);
        await RecordAsync(db, delivery.Id, WebhookDeliveryStatus.Pending, attempts, outcome.StatusCode, outcome.Error, next, null);
    }

    private static async Task RecordAsync(VexaDbContext db, long id, string status, int attempts, int? statusCode, string? error,
        DateTime nextAttemptAt, DateTime? deliveredAt)
    {
        using var untraced = SuppressInstrumentationScope.Begin(); // the delivery's span says how it went
        await db.WebhookDeliveries.Where(d => d.Id == id).ExecuteUpdateAsync(row => row
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.Attempts, attempts)
            .SetProperty(d => d.LastStatusCode, statusCode)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.NextAttemptAt, nextAttemptAt)
            .SetProperty(d => d.DeliveredAt, deliveredAt), CancellationToken.None);
    }
}
