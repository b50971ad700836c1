using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;

namespace VexaService.AdminApi.Apis;

/// <summary>
/// <c>PUT /user/webhook</c> for the calling end user (contract 4.9), plus an optional signing secret and a choice of
/// events, and <c>GET /user/webhook</c> to read them back (never the secret). The delivery log and the test delivery
/// are served by Transcripts, which delivers.
/// </summary>
public static class UserWebhookApi
{
    public static IEndpointRouteBuilder MapUserWebhookApi(this IEndpointRouteBuilder app)
    {
        var user = app.MapGroup("/user").WithTags("User").RequireCaller("Invalid API Key");
        user.MapPut("/webhook", SetWebhook).WithName("SetWebhook")
            .WithSummary("Set the caller's webhook URL and, optionally, webhook_secret (signing) and events")
            .AcceptsJson<WebhookUpdate>().Produces<UserResponse>().ProducesDetail(401, 403, 422, 429);
        user.MapGet("/webhook", GetWebhook).WithName("GetWebhook")
            .WithSummary("The caller's webhook URL, events, and whether a secret is set")
            .Produces<WebhookView>().ProducesDetail(401, 403, 429);
        return app;
    }

    /// <summary>What <c>GET /user/webhook</c> answers: the events as our list and in current Vexa's spelling (a map of
    /// every event we send, on or off), and whether a secret is set (both spellings).</summary>
    public sealed record WebhookView(string? WebhookUrl, IReadOnlyList<string> Events, bool SecretSet,
        IReadOnlyDictionary<string, bool> WebhookEvents, bool WebhookSecretSet);

    public static async Task<IResult> GetWebhook(Caller caller, UserDirectory users, CancellationToken ct)
    {
        var user = await users.FindAsync(caller.UserId, ct);
        return user is null
            ? TypedResults.Json(new ErrorBody("Invalid API Key"), statusCode: StatusCodes.Status403Forbidden)
            : TypedResults.Ok(View(user));
    }

    private static WebhookView View(User user)
    {
        var webhook = UserWebhook.From(user.Data, user.WebhookSecret);
        var secretSet = !string.IsNullOrEmpty(webhook.Secret);
        return new WebhookView(webhook.Url, webhook.Events, secretSet, WebhookSettings.EventMap(webhook.Events), secretSet);
    }

    public static async Task<IResult> SetWebhook(Caller caller, HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var reader = new FieldReader(body!);
        reader.RejectUnknown("webhook_url", "webhook_secret", "events", "webhook_events");
        var url = reader.String("webhook_url", required: true, maxLength: WebhookUrl.MaxLength);
        var secret = reader.String("webhook_secret", maxLength: 256);
        var events = WebhookSettings.ReadEvents(reader, "events");
        // Current Vexa's spelling of the same choice; one spelling at a time, so they cannot disagree.
        var eventMap = WebhookSettings.ReadEventMap(reader, "webhook_events");
        if (events is not null && eventMap is not null)
        {
            reader.Fail("webhook_events", "give the events either as events (a list) or as webhook_events (a map), not both", "value_error");
        }
        events ??= eventMap;
        if (url is not null && WebhookUrl.Problem(url) is { } problem)
        {
            reader.Fail("webhook_url", problem, "value_error.url");
        }
        if (secret is { Length: < 16 })
        {
            reader.Fail("webhook_secret", "ensure this value has at least 16 characters", "value_error.any_str.min_length");
        }
        if (!reader.IsValid)
        {
            return reader.Error();
        }
        var user = await users.SetWebhookAsync(caller.UserId, url!, secret, body!.ContainsKey("webhook_secret"), events, ct);
        return user is null
            ? TypedResults.Json(new ErrorBody("Invalid API Key"), statusCode: StatusCodes.Status403Forbidden)
            : TypedResults.Ok(UserResponse.From(user));
    }
}
