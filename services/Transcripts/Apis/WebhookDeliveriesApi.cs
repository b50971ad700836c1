using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
using VexaService.Transcripts.Webhooks;

namespace VexaService.Transcripts.Apis;

/// <summary>
/// What a user can see of their webhook deliveries: the log of the latest ones (<c>GET /user/webhook/deliveries</c>) and
/// a signed test event sent at once (<c>POST /user/webhook/test</c>). Served here, where deliveries are made; the
/// settings themselves are the admin API's (<c>PUT</c>/<c>GET /user/webhook</c>).
/// </summary>
public static class WebhookDeliveriesApi
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapWebhookDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/user/webhook").WithTags("User").RequireCaller("Invalid API Key");
        api.MapGet("/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The caller's latest webhook deliveries, newest first (limit, default 20, at most 100)")
            .WithQuery("limit", $"How many (default {DefaultLimit}, at most {MaxLimit})", JsonSchemaType.Integer)
            .Produces<DeliveryList>().ProducesDetail(401, 403, 422, 429);
        api.MapPost("/test", SendTest).WithName("TestWebhook")
            .WithSummary("Send a signed webhook.test event to the caller's webhook URL now and answer with the outcome (one per 10 s)")
            .Produces<TestOutcome>().ProducesDetail(400, 401, 403, 429);
        return app;
    }

    public sealed record DeliveryView(
        long Id, string WebhookId, string Event, long? MeetingId, string Status, int Attempts, int? LastStatusCode, string? LastError,
        DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt);

    public sealed record DeliveryList(IReadOnlyList<DeliveryView> Deliveries);

    public sealed record TestOutcome(bool Delivered, string WebhookId, string Url, int? StatusCode, string? Error);

    public static async Task<IResult> ListDeliveries(Caller caller, HttpRequest request, VexaDbContext db, CancellationToken ct)
    {
        var (limit, error) = QueryValues.Limit(request, DefaultLimit, MaxLimit);
        if (error is not null)
        {
            return error;
        }
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.UserId == caller.UserId)
            .OrderByDescending(d => d.Id).Take(limit).ToListAsync(ct);
        return TypedResults.Ok(new DeliveryList(rows.Select(d => new DeliveryView(
            d.Id, WebhookSignature.WebhookId(d.Id), MeetingEventOutbox.EventOf(d.EventKey), d.MeetingId, d.Status, d.Attempts,
            d.LastStatusCode, d.LastError, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.CreatedAt,
            d.DeliveredAt)).ToList()));
    }

    public static async Task<IResult> SendTest(Caller caller, VexaDbContext db, WebhookSender sender, WebhookTestCooldown cooldown,
        HttpResponse response, TimeProvider time, CancellationToken ct)
    {
        var owner = await UserWebhook.FindAsync(db, caller.UserId, ct);
        if (owner is null)
        {
            return TypedResults.Json(new ErrorBody("Invalid API Key"), statusCode: StatusCodes.Status403Forbidden);
        }
        if (owner.Url is not { } url)
        {
            return TypedResults.BadRequest(new ErrorBody("No webhook URL is set: set one with PUT /user/webhook first."));
        }
        if (await cooldown.TryStartAsync(caller.UserId) is { } wait)
        {
            var seconds = RetryAfter.Set(response, wait);
            return TypedResults.Json(new ErrorBody($"A test webhook was sent moments ago. Retry after {seconds} seconds."),
                statusCode: StatusCodes.Status429TooManyRequests);
        }
        var webhookId = $"msg_test_{Guid.NewGuid():N}";
        var payload = new JsonObject
        {
            ["event_type"] = WebhookEvents.Test,
            ["user_id"] = caller.UserId,
            ["timestamp"] = JsonSerializer.SerializeToNode(time.GetUtcNow().UtcDateTime, VexaJson.Options),
        }.ToJsonString(VexaJson.Options);
        var outcome = await sender.SendAsync(url, owner.Secret, webhookId, payload, ct);
        return TypedResults.Ok(new TestOutcome(outcome.Delivered, webhookId, url, outcome.StatusCode, outcome.Error));
    }
}
