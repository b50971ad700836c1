using System.Globalization;
using VexaService.Keys;

namespace VexaService.Gateway.Auth;

/// <summary>
/// What an API key grants: whose it is, which key (for its last use), what it may be used for and until when. Cached
/// in Redis as <c>user:token:scopes:expiry</c>, the user id first (<see cref="EdgeLookup"/>'s script reads it there).
/// </summary>
public sealed record KeyGrant(long UserId, long TokenId, IReadOnlyList<string> Scopes, DateTime? ExpiresAt)
{
    /// <summary>Whether the key may be used on routes needing <paramref name="scope"/> (null: any key).</summary>
    public bool Allows(string? scope) => scope is null || Scopes.Contains(scope, StringComparer.Ordinal);

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now.UtcDateTime;

    /// <summary>The 403 detail for this key used outside its scopes.</summary>
    public string MissingScope(string scope) =>
        $"This API key does not have the '{scope}' scope (its scopes: {string.Join(", ", Scopes)}).";

    public string ToCache() => string.Join(':',
        UserId.ToString(CultureInfo.InvariantCulture),
        TokenId.ToString(CultureInfo.InvariantCulture),
        string.Join(',', Scopes),
        ExpiresAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>Null for anything else (an entry written before scopes existed is looked up again).</summary>
    public static KeyGrant? FromCache(string? value)
    {
        var parts = value?.Split(':');
        if (parts is not { Length: 4 }
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId))
        {
            return null;
        }
        DateTime? expiresAt = null;
        if (parts[3].Length > 0)
        {
            if (!long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                return null;
            }
            expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
        }
        var scopes = parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Where(ApiScopes.IsKnown).ToArray();
        return new KeyGrant(userId, tokenId, scopes, expiresAt);
    }
}
