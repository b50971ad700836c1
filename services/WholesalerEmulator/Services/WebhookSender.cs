using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// The completion webhook (contract 8): POST of the meeting as JSON to the user's <c>webhook_url</c>, read at send
/// time; and, playing Vexa of September 2025, the <c>meeting.status_change</c> webhook (contract 15). Each is fired
/// once, unsigned, no retries, in the background (so two may arrive in either order, as from Vexa); a failure is only
/// logged. It owns its client on purpose: the service defaults give factory clients a retrying resilience handler,
/// which Vexa doesn't have.
/// </summary>
public sealed class WebhookSender(IOptions<EmulatorOptions> options, SystemUser user, EmulatorInstance instance, ILogger<WebhookSender> logger)
    : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = TimeSpan.FromMilliseconds(options.Value.WebhookTimeoutMs),
    };

    public void Dispose() => _client.Dispose();

    public void Send(MeetingResponse meeting) =>
        Send(meeting.Id, meeting.Status, () => JsonSerializer.SerializeToUtf8Bytes(meeting, EmulatorJsonContext.Web.MeetingResponse));

    public void SendStatusChange(StatusChangeEvent change) =>
        Send(change.Meeting.Id, $"{change.StatusChange.From} → {change.StatusChange.To}",
            () => JsonSerializer.SerializeToUtf8Bytes(change, EmulatorJsonContext.Web.StatusChangeEvent));

    private void Send(long meetingId, string what, Func<byte[]> body)
    {
        if (user.WebhookUrl is not { } url)
        {
            return;
        }
        var bytes = body();
        _ = Task.Run(() => SendAsync(url, meetingId, what, bytes));
    }

    private async Task SendAsync(string url, long meetingId, string what, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.Add(EmulatorInstance.HeaderName, instance.Id);
            using var response = await _client.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                logger.LogInformation("Webhook for meeting {MeetingId} ({What}) delivered to {Url}", meetingId, what, url);
            }
            else
            {
                logger.LogWarning("Webhook for meeting {MeetingId} ({What}) to {Url} answered {StatusCode}", meetingId, what, url, (int)response.StatusCode);
            }
        }
        catch (Exception error)
        {
            logger.LogWarning("Webhook for meeting {MeetingId} ({What}) to {Url} failed: {Error}", meetingId, what, url, error.GetBaseException().Message);
        }
    }
}
