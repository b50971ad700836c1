using System.Diagnostics.Metrics;

namespace VexaService.Observability;

/// <summary>
/// The domain figures operators watch, in one meter (<see cref="MeterName"/>, exported with the service defaults'
/// OpenTelemetry metrics): bots started and refused by reason (quota refusals included), requests the gateway
/// refused 429, API key lookups served from the cache or not, <c>/ws</c> sockets the gateway closed by reason, webhook
/// delivery attempts by outcome, the outbox's depth, Wholesaler calls by route and status, and the shared Wholesaler
/// budget left.
/// </summary>
public sealed class VexaMetrics
{
    public const string MeterName = "VexaService";

    private readonly Counter<long> _botsStarted;
    private readonly Counter<long> _botsRefused;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _keyLookups;
    private readonly Counter<long> _liveClosed;
    private readonly Counter<long> _webhookAttempts;
    private readonly Counter<long> _webhooksRefused;
    private readonly Counter<long> _wholesalerCalls;
    private readonly Counter<long> _feedSegments;
    private readonly Counter<long> _feedCatchUps;
    private long _outboxDepth = -1;
    private long _budgetLeft = -1;

    public VexaMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _botsStarted = meter.CreateCounter<long>("vexa.bots.started", "{bot}", "Bots the Wholesaler accepted for our users");
        _botsRefused = meter.CreateCounter<long>("vexa.bots.refused", "{bot}",
            "Bot starts refused, by reason: quota, duplicate, invalid, wholesaler");
        _rateLimited = meter.CreateCounter<long>("vexa.gateway.rate_limited", "{request}",
            "Requests the gateway refused with 429, by limit: key (per API key) or client (key lookups per address)");
        _keyLookups = meter.CreateCounter<long>("vexa.gateway.key_lookups", "{lookup}",
            "API key lookups, by result: cache_hit or cache_miss (a miss reads PostgreSQL)");
        _liveClosed = meter.CreateCounter<long>("vexa.gateway.live_closed", "{socket}",
            "/ws sockets the gateway closed, by reason: too_slow (4429, a client that did not take its frames), too_many_sockets (4429, one key's limit) or key_withdrawn (4401, its key deleted or expired)");
        _webhookAttempts = meter.CreateCounter<long>("vexa.webhooks.attempts", "{attempt}",
            "Webhook delivery attempts to our users, by outcome: delivered, retry, failed");
        _wholesalerCalls = meter.CreateCounter<long>("vexa.wholesaler.calls", "{call}",
            "Calls to the Wholesaler, by route and HTTP status (budget: held back by our own budget, not made)");
        _webhooksRefused = meter.CreateCounter<long>("vexa.wholesaler.webhooks_refused", "{webhook}",
            "Posts to our Wholesaler callback refused for their signature (unsigned, bad_signature)");
        _feedSegments = meter.CreateCounter<long>("vexa.transcripts.feed_segments", "{segment}",
            "Segments the live transcript feed wrote to our copy (pushed: a frame; caught_up: a REST read after a gap)");
        _feedCatchUps = meter.CreateCounter<long>("vexa.transcripts.feed_catch_ups", "{meeting}",
            "Live meetings the transcript feed made whole, by how (by): its own Wholesaler call, a reader's fetch, or the subscription alone (a bot not in the meeting yet)");
        meter.CreateObservableGauge("vexa.webhooks.outbox_depth", () => Observed(_outboxDepth), "{delivery}",
            "Webhook deliveries waiting to be delivered, as this replica's dispatcher last counted");
        meter.CreateObservableGauge("vexa.wholesaler.budget_left", () => Observed(_budgetLeft), "{call}",
            "Calls left in the shared Wholesaler budget at this replica's last call");
    }

    private static IEnumerable<Measurement<long>> Observed(long value) => value < 0 ? [] : [new Measurement<long>(value)];

    public void BotStarted() => _botsStarted.Add(1);

    /// <param name="reason">quota, duplicate, invalid or wholesaler.</param>
    public void BotRefused(string reason) => _botsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="limit">key or client.</param>
    public void RateLimited(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void KeyLookup(bool cached) => _keyLookups.Add(1, new KeyValuePair<string, object?>("result", cached ? "cache_hit" : "cache_miss"));

    /// <param name="reason">too_slow, too_many_sockets or key_withdrawn.</param>
    public void LiveClosed(string reason) => _liveClosed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="outcome">delivered, retry or failed.</param>
    public void WebhookAttempt(string outcome) => _webhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="generation">Which Vexa the Wholesaler is (<c>vexa.wholesaler.generation</c>), or <c>unknown</c>.</param>
    public void WholesalerCall(string route, string status, string generation) =>
        _wholesalerCalls.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("status", status),
            new KeyValuePair<string, object?>("vexa.wholesaler.generation", generation));

    public void WholesalerWebhookRefused(string reason) =>
        _webhooksRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="source">pushed or caught_up.</param>
    public void FeedSegments(int count, string source) =>
        _feedSegments.Add(count, new KeyValuePair<string, object?>("source", source));

    /// <param name="by">call (the feed's own Wholesaler call), readers (a reader's fetch begun after the feed asked) or
    /// subscription (a bot not in the meeting yet has heard nothing before it).</param>
    public void FeedCatchUp(string by) => _feedCatchUps.Add(1, new KeyValuePair<string, object?>("by", by));

    public void OutboxDepth(long pending) => Interlocked.Exchange(ref _outboxDepth, pending);

    public void BudgetLeft(long calls) => Interlocked.Exchange(ref _budgetLeft, calls);

    /// <summary>A Wholesaler path as a route: ids and native ids replaced, so that the figure has a few series only.</summary>
    public static string Route(HttpMethod method, string? path)
    {
        var segments = (path ?? "").Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var shape = segments.Length switch
        {
            0 => "/",
            1 => $"/{segments[0]}",
            // /bots/status, /user/webhook, /meetings/{id}; /bots/{platform}/{id}[/config], /transcripts/{platform}/{id}
            2 => segments[1] is "status" or "webhook" ? $"/{segments[0]}/{segments[1]}" : $"/{segments[0]}/{{id}}",
            _ => $"/{segments[0]}/{{platform}}/{{native_meeting_id}}" + (segments.Length > 3 ? "/" + segments[3] : ""),
        };
        return $"{method.Method} {shape}";
    }
}
