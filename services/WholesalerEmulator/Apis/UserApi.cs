using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>admin-api's user endpoint (contract 4.9).</summary>
public static class UserApi
{
    public static IEndpointRouteBuilder MapUserApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/user/webhook", SetWebhook)
            .WithTags("User")
            .WithName("SetWebhook")
            .WithSummary("Set the URL the completion webhook is posted to.")
            .RequireVexaApiKey(ApiKeyScheme.AdminApi);
        app.MapGet("/user/webhook", GetWebhook)
            .WithTags("User")
            .WithName("GetWebhook")
            .WithSummary("0.12: the webhook settings, the secret only as set or not.")
            .RequireVexaApiKey(ApiKeyScheme.AdminApi);
        return app;
    }

    /// <summary>2025-09: a URL, checked. 0.12 and 1.5: any URL string (checked at delivery), a secret stored only when not
    /// empty, and the <c>webhook_events</c> map replacing the old one.</summary>
    public static IResult SetWebhook(JsonBody body, SystemUser user, EmulatorBehaviour behaviour)
    {
        if (!behaviour.Current.Generation.HasGatewayAuth)
        {
            return WebhookUpdate.TryRead(body, out var url, out var errors)
                ? TypedResults.Ok(user.SetWebhook(url))
                : TypedResults.UnprocessableEntity(errors);
        }
        if (!WebhookUpdate.TryReadV1(body, out var settings, out var v1Errors))
        {
            return TypedResults.UnprocessableEntity(v1Errors);
        }
        var answer = user.SetWebhook(settings.Url, settings.Secret, settings.Events);
        answer.Data?.Remove("webhook_secret");
        return TypedResults.Ok(answer);
    }

    public static IResult GetWebhook(SystemUser user, EmulatorBehaviour behaviour) =>
        behaviour.Current.Generation.ShowsWebhookSettings
            ? TypedResults.Ok(user.WebhookSettings())
            : TypedResults.StatusCode(StatusCodes.Status405MethodNotAllowed);
}
