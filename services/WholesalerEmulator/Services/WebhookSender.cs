using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Generations;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// The completion webhook (contract 8): POST of the meeting as JSON to the user's <c>webhook_url</c>, read at send
/// time; and, playing Vexa of September 2025, the <c>meeting.status_change</c> webhook (contract 15). Each is fired
/// once, unsigned, no retries, in the background (so two may arrive in either order, as from Vexa); a failure is only
/// logged. Playing 0.12 or 1.5, the v1 webhooks instead (<see cref="SendV1"/>). It owns its client on purpose: the service defaults give factory clients a retrying resilience handler,
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

    /// <summary>Vexa's default when the user chose no events: only <c>meeting.completed</c> (vexa-0.12.md §4).</summary>
    private static bool Wanted(WebhookTarget target, string eventType) =>
        target.Events is { } events && events.TryGetValue(eventType, out var chosen) ? chosen : eventType == "meeting.completed";

    /// <summary>
    /// The v1 envelopes for one change, each signed with the meeting's secret, filtered by the events the user chose.
    /// 0.12: every bot advance is a <c>meeting.status_change</c> that names only the bot's connection, plus a typed event;
    /// 1.5: one event per change, and completion sends its status change and then <c>meeting.completed</c>.
    /// </summary>
    public void SendV1(V1Change change)
    {
        if (change.Target is not { } target)
        {
            return;
        }
        var events = new List<(string Type, JsonObject Data)>();
        var typed = new JsonObject
        {
            ["from"] = change.From,
            ["to"] = change.To,
            ["reason"] = change.Reason,
            ["timestamp"] = change.Timestamp,
            ["transition_source"] = change.Source,
        };
        if (change.Generation.Webhooks == WebhookStyle.V1PerAdvance)
        {
            events.Add(("meeting.status_change", new JsonObject
            {
                ["meeting"] = new JsonObject
                {
                    ["connection_id"] = change.ConnectionId,
                    ["status"] = change.To,
                    ["completion_reason"] = change.CompletionReason,
                    ["failure_stage"] = change.FailureStage,
                    ["data"] = new JsonObject { ["status_transition"] = new JsonArray() },
                },
                ["status_change"] = new JsonObject
                {
                    ["old_status"] = change.From,
                    ["new_status"] = change.To,
                    ["reason"] = change.Reason,
                    ["transition_source"] = change.Source,
                },
            }));
            switch (change.To)
            {
                case "active":
                    events.Add(("meeting.started", new JsonObject { ["meeting"] = Projection(change), ["status_change"] = typed }));
                    break;
                case "failed":
                    events.Add(("bot.failed", new JsonObject { ["meeting"] = Projection(change), ["status_change"] = typed }));
                    break;
                case "completed":
                    events.Add(("meeting.completed", new JsonObject { ["meeting"] = Projection(change) }));
                    break;
            }
        }
        else
        {
            var type = change.To switch { "active" => "meeting.started", "failed" => "bot.failed", _ => "meeting.status_change" };
            events.Add((type, new JsonObject { ["meeting"] = Projection(change), ["status_change"] = typed }));
            if (change.To == "completed")
            {
                events.Add(("meeting.completed", new JsonObject { ["meeting"] = Projection(change) }));
            }
        }
        foreach (var (type, data) in events.Where(e => Wanted(target, e.Type)))
        {
            var envelope = new JsonObject
            {
                ["event_id"] = EventId(change, type),
                ["event_type"] = type,
                ["api_version"] = "2026-03-01",
                ["created_at"] = Contracts.VexaDateTime.Naive(DateTime.UtcNow) + "Z",
                ["data"] = data,
            };
            var body = Encoding.UTF8.GetBytes(PythonJson.Dumps(envelope));
            var meetingId = change.Meeting["id"]?.GetValue<long>() ?? 0;
            _ = Task.Run(() => SendAsync(target.Url, meetingId, $"{type} {change.From} → {change.To}", body, target.Secret));
        }
    }

    /// <summary>The full projection (vexa-0.12.md §4): the meeting without what Vexa keeps to itself (webhook settings,
    /// container id) or shows only in lists (<c>shared</c>), with its <c>service_provenance</c>.</summary>
    private static JsonObject Projection(V1Change change)
    {
        var meeting = change.Meeting.DeepClone().AsObject();
        meeting.Remove("bot_container_id");
        meeting.Remove("shared");
        meeting["service_provenance"] ??= new JsonObject
        {
            ["bot_admitted_at"] = meeting["start_time"]?.DeepClone(),
            ["bot_departed_at"] = meeting["end_time"]?.DeepClone(),
            ["bot_outcome"] = change.To == "completed" ? "served" : null,
            ["lifecycle_contract_version"] = "2026-07-28",
        };
        if (meeting["data"] is JsonObject data)
        {
            data.Remove("webhook_url");
            data.Remove("webhook_secret");
            data.Remove("webhook_events");
        }
        return meeting;
    }

    /// <summary>0.12: a hash of connection, type and new status (the same on every retry); 1.5: random.</summary>
    private static string EventId(V1Change change, string type) => change.Generation.Webhooks == WebhookStyle.V1PerAdvance
        ? "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{change.ConnectionId}|{type}|{change.To}")))[..32]
        : "evt_" + Guid.NewGuid().ToString("N");

    /// <summary>Vexa's signature headers: <c>sha256=</c> HMAC-SHA256 of <c>"{timestamp}." + body</c> with the secret.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, string secret, long timestamp)
    {
        var ts = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(ts + ".").Concat(body).ToArray();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        request.Headers.Add("X-Webhook-Timestamp", ts);
        request.Headers.Add("X-Webhook-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
    }

    private void Send(long meetingId, string what, Func<byte[]> body)
    {
        if (user.WebhookUrl is not { } url)
        {
            return;
        }
        var bytes = body();
        _ = Task.Run(() => SendAsync(url, meetingId, what, bytes));
    }

    private async Task SendAsync(string url, long meetingId, string what, byte[] body, string? secret = null)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.Add(EmulatorInstance.HeaderName, instance.Id);
            if (secret is not null)
            {
                Sign(request, body, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            }
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
