using System.Text;
using Microsoft.Extensions.Options;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// One attempt to POST an event to a user's webhook URL: signed when the user set a secret (<see cref="WebhookSignature"/>),
/// through the SSRF-guarded client without a proxy (<see cref="WebhookTargetGuard"/>), within the delivery timeout.
/// Only the status line and headers are read: a receiver's body is never buffered, however large.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string HttpClientName = "webhook-delivery";
    private const int MaxErrorLength = 500;

    /// <param name="Unusable">The URL can never be delivered to (not an absolute http(s) URL): retrying is pointless.</param>
    public sealed record Outcome(int? StatusCode, string? Error, bool Unusable = false)
    {
        public bool Delivered => Error is null;
    }

    public async Task<Outcome> SendAsync(string url, string? secret, string webhookId, string payload, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            return new Outcome(null, "unusable webhook URL: not an absolute http or https URL", Unusable: true);
        }
        var body = Encoding.UTF8.GetBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (!string.IsNullOrEmpty(secret))
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Compute(secret, body));
            request.Headers.Add(WebhookSignature.IdHeader, webhookId);
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.ComputeStandard(secret, webhookId, timestamp, body));
        }
        else
        {
            request.Headers.Add(WebhookSignature.IdHeader, webhookId); // lets unsigned receivers drop repeats too
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.DeliveryTimeout);
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new Outcome(status, response.IsSuccessStatusCode ? null : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(null, $"no answer within {options.Value.DeliveryTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new Outcome(null, ErrorClass(e));
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or UriFormatException)
        {
            return new Outcome(null, Shorten($"unusable webhook URL: {e.Message}"), Unusable: true);
        }
    }

    /// <summary>
    /// What the user is told of a failed connection: a class, never the exception's text, which names the address and
    /// port tried and tells "connection refused" from "name not known" (a port scanner's answers).
    /// </summary>
    public static string ErrorClass(HttpRequestException e) => e.Message.StartsWith(WebhookTargetGuard.Refusal, StringComparison.Ordinal)
        ? WebhookTargetGuard.Refusal
        : e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError => "could not connect to the webhook URL",
            HttpRequestError.SecureConnectionError => "the TLS handshake with the webhook URL failed",
            _ => "the connection to the webhook URL failed",
        };

    private static string Shorten(string message) => message.Length > MaxErrorLength ? message[..MaxErrorLength] : message;
}
