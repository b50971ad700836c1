using VexaService.Keys;

namespace VexaService.Data;

/// <summary>An API key of a user. Only a SHA-256 hash is stored; the plaintext is shown once, at creation.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token (see <see cref="ApiKeyHash"/>).</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first characters of the token, so an operator can tell keys apart.</summary>
    public required string TokenPrefix { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>What the operator called it (which app, which machine), if anything.</summary>
    public string? Name { get; set; }

    /// <summary>From then on the key is refused like an unknown one; null: never.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>What the key may be used for (<see cref="ApiScopes"/>).</summary>
    public string[] Scopes { get; set; } = ApiScopes.All;

    /// <summary>When the gateway last let it through, recorded at most once a minute per gateway replica.</summary>
    public DateTime? LastUsedAt { get; set; }
}
