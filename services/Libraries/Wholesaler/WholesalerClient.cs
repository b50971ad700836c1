using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace VexaService.Wholesaler;

/// <summary>
/// The one HTTP client to the Wholesaler (Vexa's user-facing API, called as its single system user).
/// Answers below 500 come back as <see cref="WholesalerResponse"/>; anything that is not an answer
/// (unreachable, timed out, 5xx, 429, circuit open, our call budget spent) becomes a <see cref="WholesalerUnavailableException"/>.
/// </summary>
public sealed class WholesalerClient(HttpClient http, WholesalerIdentity identity, ILogger<WholesalerClient> logger)
{
    public Task<WholesalerResponse> StartBotAsync(JsonObject request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "bots", request, ct);

    public Task<WholesalerResponse> StopBotAsync(string platform, string nativeId, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"bots/{Segment(platform)}/{Segment(nativeId)}", null, ct);

    public Task<WholesalerResponse> ReconfigureBotAsync(string platform, string nativeId, JsonObject request, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, $"bots/{Segment(platform)}/{Segment(nativeId)}/config", request, ct);

    /// <summary>
    /// The Wholesaler's running bots (<c>GET /bots/status</c>): as many as there are live meetings, unlike
    /// <see cref="ListMeetingsAsync"/>, whose answer grows with every meeting ever held.
    /// </summary>
    public Task<WholesalerList> ListRunningBotsAsync(CancellationToken ct) => ListAsync("bots/status", "running_bots", ct);

    /// <summary>
    /// Every meeting of the Wholesaler's one (system) user, newest first. Vexa has no filter or paging here, so the
    /// answer grows with history: call it only when the running bots cannot answer the question.
    /// </summary>
    public Task<WholesalerList> ListMeetingsAsync(CancellationToken ct) => ListAsync("meetings", "meetings", ct);

    /// <summary>
    /// The transcript of exactly the Wholesaler meeting we mapped (<c>?meeting_id=</c>), or with null the Wholesaler's
    /// newest meeting for this native id.
    /// </summary>
    public Task<WholesalerResponse> GetTranscriptAsync(string platform, string nativeId, long? wholesalerMeetingId, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"transcripts/{Segment(platform)}/{Segment(nativeId)}"
            + (wholesalerMeetingId is { } id ? $"?meeting_id={id}" : ""), null, ct);

    /// <summary>
    /// One Wholesaler meeting's state, read from its transcript answer without the segments: the meeting we mapped
    /// (<paramref name="wholesalerMeetingId"/>; an answer about another meeting counts as none), or with null the
    /// Wholesaler's newest meeting for this native id. Null when there is none. Costs one meeting, not the whole history.
    /// </summary>
    public async Task<WholesalerMeeting?> GetMeetingAsync(string platform, string nativeId, long? wholesalerMeetingId, CancellationToken ct)
    {
        var answer = await GetTranscriptAsync(platform, nativeId, wholesalerMeetingId, ct);
        if (!answer.IsSuccess || answer.Body is not JsonObject meeting
            || (wholesalerMeetingId is not null && WholesalerMeetingJson.Id(meeting) != wholesalerMeetingId))
        {
            return null;
        }
        meeting.Remove("segments");
        return new WholesalerMeeting(meeting, answer.Issuer);
    }

    public Task<WholesalerResponse> DeleteMeetingAsync(string platform, string nativeId, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"meetings/{Segment(platform)}/{Segment(nativeId)}", null, ct);

    public Task<WholesalerResponse> SetWebhookAsync(string url, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, "user/webhook", new JsonObject { ["webhook_url"] = url }, ct);

    /// <summary>
    /// The objects in the answer's array <paramref name="field"/>. Anything but a 2xx answer holding that array is an
    /// outage, never an empty list: "no meetings" from a 401/403/429 would make every live meeting look gone.
    /// </summary>
    private async Task<WholesalerList> ListAsync(string path, string field, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Get, path, null, ct);
        if (!answer.IsSuccess || (answer.Body as JsonObject)?[field] is not JsonArray items)
        {
            throw Unavailable(502, "The meeting service sent an unexpected answer. Please retry later.", null, HttpMethod.Get, path, answer.Status);
        }
        return new WholesalerList(items.OfType<JsonObject>().ToList(), answer.Issuer);
    }

    private async Task<WholesalerResponse> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (BrokenCircuitException e)
        {
            throw Unavailable(503, "The meeting service is temporarily unavailable. Please retry later.", e, method, path);
        }
        catch (TimeoutRejectedException e)
        {
            throw Unavailable(504, "The meeting service did not answer in time. Please retry later.", e, method, path);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(502, "The meeting service could not be reached. Please retry later.", e, method, path);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw Unavailable(504, "The meeting service did not answer in time. Please retry later.", e, method, path);
        }

        using (response)
        {
            var issuer = identity.IssuerFor(response.Headers.TryGetValues(WholesalerIdentity.InstanceHeader, out var instance) ? instance : null);
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                // Throttled: nothing was done. Waited out (the budget holds every call back meanwhile), never read as
                // a refusal of this request (a failed start) or as an empty list.
                throw Unavailable(503, WholesalerUnavailableException.Busy, null, method, path, 429,
                    WholesalerBudgetHandler.ThrottledFor(response));
            }
            if ((int)response.StatusCode >= 500)
            {
                throw Unavailable(502, "The meeting service failed to handle the request. Please retry later.", null, method, path,
                    (int)response.StatusCode);
            }
            JsonNode? json = null;
            if (response.Content.Headers.ContentLength != 0)
            {
                try
                {
                    json = await response.Content.ReadFromJsonAsync<JsonNode>(ct);
                }
                catch (System.Text.Json.JsonException e)
                {
                    throw Unavailable(502, "The meeting service sent an unreadable answer. Please retry later.", e, method, path);
                }
            }
            return new WholesalerResponse((int)response.StatusCode, json, issuer);
        }
    }

    private WholesalerUnavailableException Unavailable(int status, string detail, Exception? inner, HttpMethod method, string path,
        int? upstreamStatus = null, TimeSpan? retryAfter = null)
    {
        logger.LogWarning(inner, "Wholesaler {Method} {Path} failed (upstream status {UpstreamStatus}); answering {Status}",
            method, path, upstreamStatus, status);
        return new WholesalerUnavailableException(status, detail, inner, retryAfter);
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
