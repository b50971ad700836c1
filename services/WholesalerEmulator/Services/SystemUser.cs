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

    public UserResponse SetWebhook(string url)
    {
        lock (_gate)
        {
            _data["webhook_url"] = url;
            return Snapshot();
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _data = [];
        }
    }

    private UserResponse Snapshot()
    {
        var o = options.Value;
        return new UserResponse(o.SystemUserEmail, "Vexa Emulator System User", null, o.MaxConcurrentBots,
            _data.DeepClone().AsObject(), o.SystemUserId, VexaDateTime.Naive(_createdAt));
    }
}
