using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>The one user the emulator serves; only <c>data.webhook_url</c> changes (PUT /user/webhook).</summary>
public sealed class SystemUser(IOptions<EmulatorOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly DateTime _createdAt = VexaDateTime.UtcNow(time);
    private JsonObject _data = [];

    public string? WebhookUrl
    {
        get
        {
            lock (_gate)
            {
                return _data["webhook_url"]?.GetValue<string>();
            }
        }
    }

    /// <summary>Where the user's webhooks go now, with the secret and chosen events (0.12 and 1.5); null: nowhere.</summary>
    public WebhookTarget? WebhookTarget
    {
        get
        {
            lock (_gate)
            {
                return _data["webhook_url"]?.GetValue<string>() is { } url
                    ? new WebhookTarget(url, _secret, _events is null ? null : new Dictionary<string, bool>(_events))
                    : null;
            }
        }
    }

    private string? _secret;
    private Dictionary<string, bool>? _events;

    /// <param name="secret">Stored only when not empty, as 0.12 does: it cannot be cleared this way.</param>
    /// <param name="events">Replaces the whole map when given.</param>
    public UserResponse SetWebhook(string url, string? secret = null, Dictionary<string, bool>? events = null)
    {
        lock (_gate)
        {
            _data["webhook_url"] = url;
            if (!string.IsNullOrWhiteSpace(secret))
            {
                _secret = secret.Trim();
            }
            if (events is not null)
            {
                _events = events;
                _data["webhook_events"] = new JsonObject(events.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
            }
            return Snapshot();
        }
    }

    /// <summary>0.12's <c>GET /user/webhook</c>: the secret only as set or not, and its last four characters.</summary>
    public JsonObject WebhookSettings()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["webhook_url"] = _data["webhook_url"]?.DeepClone(),
                ["webhook_secret_set"] = _secret is not null,
                ["webhook_secret"] = _secret is null ? null : "********" + _secret[^Math.Min(4, _secret.Length)..],
                ["webhook_events"] = _data["webhook_events"]?.DeepClone(),
            };
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _data = [];
            _secret = null;
            _events = null;
        }
    }

    private UserResponse Snapshot()
    {
        var o = options.Value;
        return new UserResponse(o.SystemUserEmail, "Vexa Emulator System User", null, o.MaxConcurrentBots,
            _data.DeepClone().AsObject(), o.SystemUserId, VexaDateTime.Naive(_createdAt));
    }
}
