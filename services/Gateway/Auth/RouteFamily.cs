using VexaService.Keys;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Vexa's auth answers differ by route family (contract section 2); the gateway reproduces them exactly.
/// The family is named by the YARP route's <c>Auth</c> metadata; routes without it (admin) authenticate downstream.
/// A family may need a key scope (<see cref="ApiScopes"/>); the user's own routes take any key, except the webhook's:
/// a webhook URL receives completion payloads (participants, passcodes, transcripts' meetings), so setting it, testing
/// it or reading its deliveries needs the <c>transcripts</c> scope, like reading a transcript.
/// </summary>
public sealed record RouteFamily(int MissingStatus, string MissingDetail, string InvalidDetail, bool HasPlatformPaths, string? Scope)
{
    public static readonly RouteFamily Bots = new(403, "Missing API token (X-API-Key header)", "Invalid API token", true, ApiScopes.Bots);
    public static readonly RouteFamily Meetings = new(403, "Missing API token", "Invalid API token", true, ApiScopes.Transcripts);
    public static readonly RouteFamily User = new(401, "Missing API Key", "Invalid API Key", false, null);
    public static readonly RouteFamily Webhook = User with { Scope = ApiScopes.Transcripts };

    public static RouteFamily? FromMetadata(string? name) => name switch
    {
        "bots" => Bots,
        "meetings" => Meetings,
        "user" => User,
        "webhook" => Webhook,
        null => null,
        // Fail closed: a misspelt family must not turn a route's authentication off.
        _ => throw new InvalidOperationException($"A gateway route names an unknown Auth family '{name}'"),
    };
}
