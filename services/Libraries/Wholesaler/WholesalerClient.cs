using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using VexaService.Wholesaler.Generations;

namespace VexaService.Wholesaler;

/// <summary>
/// The one HTTP client to the Wholesaler (Vexa's user-facing API, called as its single system user). Whichever Vexa it
/// is (<see cref="CurrentGeneration"/>), its requests are made and its answers read through that generation's strategy
/// (<see cref="WholesalerGeneration"/>), so callers see Vexa of September 2025 whatever we resell.
/// Answers below 500 come back as <see cref="WholesalerResponse"/>; anything that is not an answer
/// (unreachable, timed out, 5xx, 429, circuit open, our call budget spent) becomes a <see cref="WholesalerUnavailableException"/>.
/// </summary>
public sealed class WholesalerClient(HttpClient http, WholesalerIdentity identity, CurrentGeneration generations,
    Microsoft.Extensions.Options.IOptions<WholesalerOptions> options, ILogger<WholesalerClient> logger)
{
    /// <summary>More pages than any system user's history; a Wholesaler that never says "no more" is cut off here.</summary>
    private const int MaxPages = 1000;
    private const int PageSize = 100;

    public async Task<WholesalerResponse> StartBotAsync(JsonObject request, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Post, "bots", generation.StartBody(request), WholesalerOperation.Start, generation, ct);
    }

    public async Task<WholesalerResponse> StopBotAsync(string platform, string nativeId, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Delete, generation.BotPath(platform, nativeId), null, WholesalerOperation.Stop, generation, ct);
    }

    /// <summary>Whether the Wholesaler can change a running bot's language and task at all (Vexa 0.12 cannot).</summary>
    public async Task<bool> CanReconfigureAsync(CancellationToken ct) => (await generations.GetAsync(ct)).CanReconfigure;

    public async Task<WholesalerResponse> ReconfigureBotAsync(string platform, string nativeId, JsonObject request, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Put, generation.BotPath(platform, nativeId) + "/config", request, WholesalerOperation.Reconfigure,
            generation, ct);
    }

    /// <summary>
    /// The Wholesaler's running bots (<c>GET /bots/status</c>), as 2025-09's containers: as many as there are live
    /// meetings, unlike <see cref="ListMeetingsAsync"/>, whose answer grows with every meeting ever held.
    /// </summary>
    public async Task<WholesalerList> ListRunningBotsAsync(CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        var (path, field) = generation.RunningBots;
        var (items, issuer, _) = await ListAsync(path, field, generation, ct);
        return new WholesalerList(items.Select(generation.RunningBot).OfType<JsonObject>().ToList(), issuer);
    }

    /// <summary>
    /// Every meeting of the Wholesaler's one (system) user, newest first: one answer from Vexa of 2025-09, which has no
    /// paging, a page of 100 at a time from today's Vexa (whose un-paged list stops at 50). The answer grows with
    /// history: call it only when the running bots cannot answer the question.
    /// </summary>
    public async Task<WholesalerList> ListMeetingsAsync(CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        if (!generation.PagesMeetings)
        {
            var (all, by, _) = await ListAsync("meetings", "meetings", generation, ct);
            return new WholesalerList(all, by);
        }
        var meetings = new List<JsonObject>();
        string? issuer = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var (items, pageIssuer, answer) = await ListAsync($"bots?limit={PageSize}&offset={page * PageSize}", "meetings", generation, ct);
            if (issuer is not null && pageIssuer != issuer)
            {
                throw Unavailable(503, "The meeting service changed while we read it. Please retry later.", null, HttpMethod.Get, "bots");
            }
            issuer = pageIssuer;
            meetings.AddRange(items.Select(generation.ListedMeeting).OfType<JsonObject>());
            if (answer["has_more"] is not JsonValue more || !more.TryGetValue<bool>(out var hasMore) || !hasMore || items.Count == 0)
            {
                break;
            }
        }
        return new WholesalerList(meetings, issuer!);
    }

    /// <summary>
    /// The transcript of exactly the Wholesaler meeting we mapped, or with null the Wholesaler's newest meeting for
    /// this native id.
    /// </summary>
    public async Task<WholesalerResponse> GetTranscriptAsync(string platform, string nativeId, long? wholesalerMeetingId, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Get, generation.TranscriptPath(platform, nativeId, wholesalerMeetingId), null,
            WholesalerOperation.Transcript, generation, ct);
    }

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

    public async Task<WholesalerResponse> DeleteMeetingAsync(string platform, string nativeId, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Delete, generation.MeetingPath(platform, nativeId), null, WholesalerOperation.DeleteMeeting,
            generation, ct);
    }

    /// <summary>Registers our callback: with today's Vexa also the secret its webhooks are signed with, and every event.</summary>
    public async Task<WholesalerResponse> SetWebhookAsync(string url, CancellationToken ct)
    {
        var generation = await generations.GetAsync(ct);
        return await SendAsync(HttpMethod.Put, "user/webhook", generation.WebhookRegistration(url, options.Value.WebhookSigningSecret()),
            WholesalerOperation.SetWebhook, generation, ct);
    }

    /// <summary>
    /// The objects in the answer's array <paramref name="field"/>. Anything but a 2xx answer holding that array is an
    /// outage, never an empty list: "no meetings" from a 401/403/429 would make every live meeting look gone.
    /// </summary>
    private async Task<(List<JsonObject> Items, string Issuer, JsonObject Answer)> ListAsync(string path, string field,
        WholesalerGeneration generation, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Get, path, null, WholesalerOperation.Other, generation, ct);
        if (!answer.IsSuccess || answer.Body is not JsonObject body || body[field] is not JsonArray items)
        {
            throw Unavailable(502, "The meeting service sent an unexpected answer. Please retry later.", null, HttpMethod.Get, path, answer.Status);
        }
        return (items.OfType<JsonObject>().ToList(), answer.Issuer, body);
    }

    private async Task<WholesalerResponse> SendAsync(HttpMethod method, string path, JsonObject? body, WholesalerOperation operation,
        WholesalerGeneration generation, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Options.Set(WholesalerBudgetHandler.Operation, operation);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        HttpResponseMessage response;
        try
        {
            // Headers only: the body is parsed from the socket below. Read into one buffer first (a chunked answer grows
            // it by doubling), the running bots' list put about a megabyte of arrays on the large-object heap on every
            // fetch, every two seconds, and BotManager's memory grew with it.
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
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
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests
                && !generation.IsRefusal429(operation, await WholesalerResponse.DetailOfAsync(response, ct)))
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
                // The attempts' timeouts ended with the headers: the body gets the whole call's time of its own.
                using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
                reading.CancelAfter(options.Value.TotalTimeout);
                try
                {
                    json = await response.Content.ReadFromJsonAsync<JsonNode>(reading.Token);
                }
                catch (System.Text.Json.JsonException e)
                {
                    throw Unavailable(502, "The meeting service sent an unreadable answer. Please retry later.", e, method, path);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    throw Unavailable(504, "The meeting service did not answer in time. Please retry later.", e, method, path);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    throw Unavailable(502, "The meeting service could not be reached. Please retry later.", e, method, path);
                }
            }
            var answer = new WholesalerResponse((int)response.StatusCode, json, issuer);
            if (answer.Status is 404 && answer.Detail == "Not Found" || answer.Status is 422 && (json as JsonObject)?["detail"] is JsonArray)
            {
                // FastAPI's answer for a route it does not have, or for a path it reads otherwise: another Vexa's answer.
                generations.Suspect($"{method} {path}: {answer.Status}");
            }
            return generation.Translate(operation, answer);
        }
    }

    private WholesalerUnavailableException Unavailable(int status, string detail, Exception? inner, HttpMethod method, string path,
        int? upstreamStatus = null, TimeSpan? retryAfter = null)
    {
        logger.LogWarning(inner, "Wholesaler {Method} {Path} failed (upstream status {UpstreamStatus}); answering {Status}",
            method, path, upstreamStatus, status);
        return new WholesalerUnavailableException(status, detail, inner, retryAfter);
    }
}
