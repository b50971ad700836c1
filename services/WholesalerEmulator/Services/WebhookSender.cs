using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// The completion webhook (contract 8): POST of the meeting as JSON to the user's <c>webhook_url</c>, read at send
/// time; fired once, unsigned, no retries; a failure is only logged. It owns its client on purpose: the service
/// defaults give factory clients a retrying resilience handler, which Vexa doesn't have.
/// </summary>
public sealed class WebhookSender(IOptions<EmulatorOptions> options, SystemUser user, EmulatorInstance instance, ILogger<WebhookSender> logger)
    : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = TimeSpan.FromMilliseconds(options.Value.WebhookTimeoutMs),
    };

    public void Dispose() => _client.Dispose();

    public void Send(MeetingResponse meeting)
    {
        if (user.WebhookUrl is not { } url)
        {
            return;
        }
        _ = Task.Run(() => SendAsync(url, meeting));
    }

    private async Task SendAsync(string url, MeetingResponse meeting)
    {
        try
        {
            using var content = new ByteArrayContent(
                JsonSerializer.SerializeToUtf8Bytes(meeting, EmulatorJsonContext.Web.MeetingResponse));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.Add(EmulatorInstance.HeaderName, instance.Id);
            using var response = await _client.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                logger.LogInformation("Webhook for meeting {MeetingId} ({Status}) delivered to {Url}", meeting.Id, meeting.Status, url);
            }
            else
            {
                logger.LogWarning("Webhook for meeting {MeetingId} to {Url} answered {StatusCode}", meeting.Id, url, (int)response.StatusCode);
            }
        }
        catch (Exception error)
        {
            logger.LogWarning("Webhook for meeting {MeetingId} to {Url} failed: {Error}", meeting.Id, url, error.GetBaseException().Message);
        }
    }
}
