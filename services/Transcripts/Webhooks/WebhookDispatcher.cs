using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VexaService.Shared.Api;
using VexaService.Shared.Data;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Delivers outbox rows to the owning user's <c>webhook_url</c> (read at send time), signed when the user set a
/// secret, retried with exponential backoff, every attempt recorded. Rows are leased with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several replicas never deliver the same row at once.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger,
    TimeProvider time)
    : BackgroundService
{
    public const string HttpClientName = "webhook-delivery";
    private const int BatchSize = 20;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Webhook delivery pass failed; retrying on the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many deliveries were attempted.</returns>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var leaseUntil = now + Lease;
        var due = await db.WebhookDeliveries.FromSql($"""
            UPDATE webhook_deliveries SET next_attempt_at = {leaseUntil}
            WHERE id IN (SELECT id FROM webhook_deliveries
                         WHERE status = 'pending' AND next_attempt_at <= {now}
                         ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).ToListAsync(ct);

        foreach (var delivery in due)
        {
            var owner = await db.Users.AsNoTracking().Where(u => u.Id == delivery.UserId)
                .Select(u => new { u.Data, u.WebhookSecret }).FirstOrDefaultAsync(ct);
            var url = JsonData.Parse(owner?.Data)["webhook_url"]?.GetValue<string>();
            if (url is null)
            {
                delivery.Status = WebhookDeliveryStatus.NoUrl;
            }
            else
            {
                await AttemptAsync(delivery, url, owner!.WebhookSecret, ct);
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return due.Count;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, string url, string? secret, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Compute(secret, body));
        }

        delivery.Attempts++;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.DeliveryTimeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            delivery.LastStatusCode = (int)response.StatusCode;
            delivery.LastError = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            delivery.LastStatusCode = null;
            delivery.LastError = e.Message.Length > 500 ? e.Message[..500] : e.Message;
        }

        if (delivery.LastError is null)
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.DeliveredAt = time.GetUtcNow().UtcDateTime;
            return;
        }
        if (delivery.Attempts >= options.Value.MaxAttempts)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            logger.LogWarning("Gave up delivering webhook {DeliveryId} after {Attempts} attempts: {Error}", delivery.Id, delivery.Attempts, delivery.LastError);
            return;
        }
        var backoff = options.Value.RetryBaseDelay * Math.Pow(2, delivery.Attempts - 1);
        delivery.NextAttemptAt = time.GetUtcNow().UtcDateTime + (backoff < options.Value.RetryMaxDelay ? backoff : options.Value.RetryMaxDelay);
    }
}
