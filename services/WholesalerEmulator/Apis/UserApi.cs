using VexaService.WholesalerEmulator.Models;
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
        return app;
    }

    public static Results<Ok<UserResponse>, UnprocessableEntity<ValidationErrorBody>> SetWebhook(JsonBody body, SystemUser user) =>
        WebhookUpdate.TryRead(body, out var url, out var errors)
            ? TypedResults.Ok(user.SetWebhook(url))
            : TypedResults.UnprocessableEntity(errors);
}
