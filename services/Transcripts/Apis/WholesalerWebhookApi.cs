using Microsoft.Extensions.Options;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
using VexaService.Observability;
using VexaService.Transcripts.Webhooks;
using VexaService.Wholesaler;
using VexaService.Wholesaler.Generations;

namespace VexaService.Transcripts.Apis;

/// <summary>
/// The callback the Wholesaler posts its webhooks to. It carries no user identity. The unguessable secret in the path
/// authenticates it to begin with; today's Vexa (0.12, the hosted API) also signs every post with the secret we
/// registered (<c>X-Webhook-Signature</c> over the raw bytes), and from a Wholesaler that signs, an unsigned or badly
/// signed post is refused and counted before anything else is read. Signed v1 envelopes are stored and answered at once
/// (<see cref="WholesalerWebhookInbox"/>); 2025-09's unsigned bodies are relayed as they come (<see cref="WebhookRelay"/>).
/// Even so a webhook is only a hint: the relay reads the meeting back from the Wholesaler before it changes anything.
/// </summary>
public static class WholesalerWebhookApi
{
    public static IEndpointRouteBuilder MapWholesalerWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/wholesaler-webhook/{secret}", Receive).WithTags("Internal").ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> Receive(string secret, HttpRequest request, IOptions<WebhookOptions> options,
        IOptions<WholesalerOptions> wholesaler, CurrentGeneration generation, WebhookRelay relay, WholesalerWebhookInbox inbox,
        VexaDbContext db, VexaMetrics metrics, TimeProvider time, CancellationToken ct)
    {
        if (!options.Value.IsCallbackSecret(secret))
        {
            return TypedResults.NotFound(new ErrorBody("Not Found"));
        }
        var (bytes, tooLarge) = await JsonBody.ReadBytesAsync(request, ct);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var signature = request.Headers[V1Webhooks.SignatureHeader].ToString();
        var signs = generation.Known?.SignsWebhooks ?? false;
        if (signs || signature.Length > 0)
        {
            if (!V1Webhooks.IsSigned(bytes.Span, request.Headers[V1Webhooks.TimestampHeader].ToString(), signature,
                wholesaler.Value.WebhookSigningSecret(), time.GetUtcNow()))
            {
                metrics.WholesalerWebhookRefused(signature.Length == 0 ? "unsigned" : "bad_signature");
                return TypedResults.Json(new ErrorBody("Invalid webhook signature"), statusCode: StatusCodes.Status401Unauthorized);
            }
        }
        var (body, error) = JsonBody.ParseObject(request.ContentType, bytes);
        if (error is not null)
        {
            return error;
        }
        if (V1Webhooks.Envelope(body!) is var (eventId, eventType))
        {
            // Stored, then answered: Vexa waits for this answer inside its bot's callback, and a 4xx drops the event.
            var accepted = await inbox.AcceptAsync(db, eventId, eventType, body!.ToJsonString(), ct);
            return TypedResults.Ok(new MessageResponse(accepted == WholesalerWebhookInbox.Accepted.New ? "accepted" : "duplicate"));
        }
        return await relay.AcceptAsync(body!, ct) switch
        {
            WebhookRelay.Outcome.UnknownMeeting => TypedResults.NotFound(new ErrorBody("Unknown meeting")),
            _ => TypedResults.Ok(new MessageResponse("accepted")),
        };
    }
}
