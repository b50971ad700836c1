using Microsoft.Extensions.Options;
using VexaService.Shared.Api;
using VexaService.Shared.Errors;
using VexaService.Shared.Json;
using VexaService.Shared.Wholesaler;
using VexaService.Transcripts.Webhooks;

namespace VexaService.Transcripts.Apis;

/// <summary>
/// The callback the Wholesaler posts completion webhooks to. It carries no user identity; the unguessable secret in
/// the path is the authentication (the Wholesaler does not sign). A wrong secret or an unknown meeting is refused.
/// </summary>
public static class WholesalerWebhookApi
{
    public static IEndpointRouteBuilder MapWholesalerWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/wholesaler-webhook/{secret}", Receive).WithTags("Internal").ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> Receive(string secret, HttpRequest request, IOptions<WebhookOptions> options, WebhookRelay relay,
        WholesalerIdentity identity, CancellationToken ct)
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
        return await relay.AcceptAsync(body!, identity.IssuerFor(request.Headers[WholesalerIdentity.InstanceHeader].ToString()), ct) switch
        {
            WebhookRelay.Outcome.UnknownMeeting => TypedResults.NotFound(new ErrorBody("Unknown meeting")),
            _ => TypedResults.Ok(new MessageResponse("accepted")),
        };
    }
}
