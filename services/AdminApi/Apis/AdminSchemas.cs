using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace VexaService.AdminApi.Apis;

// The shapes of the bodies the admin and user endpoints read by hand, for the OpenAPI document.

[Description("Vexa's UserCreate: an existing e-mail returns that user (200) instead of creating one (201).")]
public sealed record UserCreate(
    [property: Required] string Email,
    string? Name = null,
    string? ImageUrl = null,
    [property: Description("Bots the user may run at once (0-1000)")] int? MaxConcurrentBots = null,
    [property: Description("Free-form settings, e.g. webhook_url, webhook_events")] JsonObject? Data = null);

[Description("Vexa's UserUpdate: only the fields sent change; data is merged key by key (null removes a key); the e-mail cannot change.")]
public sealed record UserUpdate(
    string? Email = null, string? Name = null, string? ImageUrl = null, int? MaxConcurrentBots = null, JsonObject? Data = null);

[Description("The caller's webhook: where events go, the secret that signs them (Standard Webhooks), and which events.")]
public sealed record WebhookUpdate(
    [property: Required, Description("http(s) URL that receives the events")] string WebhookUrl,
    [property: Description("At least 16 characters; deliveries are signed with it. Omitted: unchanged; null: unsigned")] string? WebhookSecret = null,
    [property: Description("meeting.completed and/or meeting.status_change; omitted: meeting.completed only")] IReadOnlyList<string>? Events = null);

[Description("Optional: without a body the key can do everything and never expires.")]
public sealed record TokenCreate(
    [property: Description("What the key is for (at most 100 characters)")] string? Name = null,
    [property: Description("Seconds until the key expires (60 to 10 years); or give expires_at")] int? ExpiresIn = null,
    [property: Description("When the key expires (ISO 8601, UTC unless an offset is given); or give expires_in")] DateTime? ExpiresAt = null,
    [property: Description("bots (start, stop, reconfigure, list bots) and/or transcripts (meetings, transcripts, /ws); default both")]
    IReadOnlyList<string>? Scopes = null);
