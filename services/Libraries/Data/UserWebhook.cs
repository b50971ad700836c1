using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace VexaService.Data;

/// <summary>
/// A user's webhook settings as kept in <c>users.data</c> (<c>webhook_url</c>, <c>webhook_events</c>) and the
/// <c>webhook_secret</c> column: read the same way wherever a delivery is made or the settings are shown.
/// </summary>
public sealed record UserWebhook(string? Url, IReadOnlyList<string> Events, string? Secret)
{
    public const string UrlKey = "webhook_url";

    /// <summary>A URL that is not a string (written before admins' writes were checked) counts as none.</summary>
    public static UserWebhook From(string? data, string? secret)
    {
        var settings = JsonData.Parse(data);
        var url = settings[UrlKey] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        IReadOnlyList<string> events = settings[WebhookEvents.DataKey] is JsonArray chosen
            ? chosen.Select(e => e?.ToString() ?? "").ToList()
            : WebhookEvents.Default;
        return new UserWebhook(url, events, secret);
    }

    /// <summary>The user's settings, or null when there is no such user.</summary>
    public static async Task<UserWebhook?> FindAsync(VexaDbContext db, long userId, CancellationToken ct)
    {
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Data, u.WebhookSecret }).FirstOrDefaultAsync(ct);
        return owner is null ? null : From(owner.Data, owner.WebhookSecret);
    }
}
