using System.Text.Json.Nodes;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Keys;

namespace VexaService.AdminApi.Services;

/// <summary>
/// The optional body of <c>POST /admin/users/{id}/tokens</c>: a <c>name</c>, an expiry (<c>expires_in</c> seconds or
/// <c>expires_at</c>, not both) and <c>scopes</c> (default: all). No body: a key for everything that never expires,
/// as before.
/// </summary>
public sealed record TokenInput(string? Name, DateTime? ExpiresAt, string[] Scopes)
{
    public static readonly TokenInput Default = new(null, null, ApiScopes.All);

    /// <summary>Ten years: longer is "never", which is said by leaving the expiry out.</summary>
    public const int MaxExpiresInSeconds = 10 * 366 * 24 * 3600;

    public static (TokenInput? Input, IResult? Error) Read(JsonObject body, DateTime now)
    {
        var reader = new FieldReader(body);
        reader.RejectUnknown("name", "expires_in", "expires_at", "scopes");
        var name = reader.String("name", maxLength: 100);
        var expiresIn = reader.Int("expires_in", min: 60, max: MaxExpiresInSeconds);
        var expiresAtText = reader.String("expires_at", maxLength: 64);
        var scopes = reader.StringList("scopes");

        DateTime? expiresAt = expiresIn is { } seconds ? now.AddSeconds(seconds) : null;
        if (expiresAtText is not null)
        {
            if (reader.Has("expires_in"))
            {
                reader.Fail("expires_at", "give expires_in or expires_at, not both", "value_error.conflict");
            }
            else if (!VexaDateTime.TryParse(expiresAtText, out var at))
            {
                reader.Fail("expires_at", "invalid datetime format (ISO 8601, UTC unless an offset is given)", "value_error.datetime");
            }
            else if (at <= now)
            {
                reader.Fail("expires_at", "expires_at must be in the future", "value_error.datetime.past");
            }
            else
            {
                expiresAt = at;
            }
        }
        if (scopes is not null)
        {
            if (scopes.Count == 0)
            {
                reader.Fail("scopes", "ensure this value has at least 1 items", "value_error.list.min_items");
            }
            foreach (var scope in scopes.Where(s => !ApiScopes.IsKnown(s)))
            {
                reader.Fail("scopes", $"unknown scope '{scope}': permitted: {string.Join(", ", ApiScopes.All)}", "type_error.enum");
            }
        }
        if (!reader.IsValid)
        {
            return (null, reader.Error());
        }
        var chosen = scopes is null ? ApiScopes.All : ApiScopes.All.Where(scopes.Contains).ToArray();
        return (new TokenInput(name, expiresAt, chosen), null);
    }
}
