using Microsoft.Extensions.Options;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Transcripts.Webhooks;

namespace VexaService.Transcripts.Apis;

/// <summary>
/// The callback the Wholesaler posts completion webhooks to. It carries no user identity; the unguessable secret in
/// the path is the authentication (the Wholesaler does not sign). A wrong secret or an unknown meeting is refused. Even
/// with the right secret a webhook is only a hint: <see cref="WebhookRelay"/> reads the meeting back from the
/// Wholesaler, and an <c>X-Wholesaler-Instance</c> header here is ignored (the read-back's answer names the issuer).
/// </summary>
public static class WholesalerWebhookApi
{
    public static IEndpointRouteBuilder MapWholesalerWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/wholesaler-webhook/{secret}", Receive).WithTags("Internal").ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> Receive(string secret, HttpRequest request, IOptions<WebhookOptions> options, WebhookRelay relay,
        CancellationToken ct)
    {
        if (!options.Value.IsCallbackSecret(secret))
        {
            return TypedResults.NotFound(new ErrorBody("Not Found"));
        }
        var (body, error) = await JsonBody.ReadObjectAsync(request, ct);
        if (error is not null)
        {
            return error;
        }
        return await relay.AcceptAsync(body!, ct) switch
        {
            WebhookRelay.Outcome.UnknownMeeting => TypedResults.NotFound(new ErrorBody("Unknown meeting")),
            _ => TypedResults.Ok(new MessageResponse("accepted")),
        };
    }
}
