using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Shared.Errors;
using VexaService.Shared.Identity;
using VexaService.Shared.Json;

namespace VexaService.AdminApi.Apis;

/// <summary><c>PUT /user/webhook</c> for the calling end user (contract 4.9), plus an optional signing secret.</summary>
public static class UserWebhookApi
{
    public static IEndpointRouteBuilder MapUserWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/user").WithTags("User").RequireCaller("Invalid API Key")
            .MapPut("/webhook", SetWebhook).WithName("SetWebhook")
            .WithSummary("Set the caller's webhook URL and, optionally, webhook_secret for X-Vexa-Signature");
        return app;
    }

    public static async Task<IResult> SetWebhook(Caller caller, HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var reader = new FieldReader(body!);
        reader.RejectUnknown("webhook_url", "webhook_secret");
        var url = reader.String("webhook_url", required: true, maxLength: WebhookUrl.MaxLength);
        var secret = reader.String("webhook_secret", maxLength: 256);
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
        var user = await users.SetWebhookAsync(caller.UserId, url!, secret, body!.ContainsKey("webhook_secret"), ct);
        return user is null
            ? TypedResults.Json(new ErrorBody("Invalid API Key"), statusCode: StatusCodes.Status403Forbidden)
            : TypedResults.Ok(UserResponse.From(user));
    }
}
