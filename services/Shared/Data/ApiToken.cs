namespace VexaService.Shared.Data;

/// <summary>An API key of a user. Only a SHA-256 hash is stored; the plaintext is shown once, at creation.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token (see <see cref="Auth.ApiKeyHash"/>).</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first characters of the token, so an operator can tell keys apart.</summary>
    public required string TokenPrefix { get; set; }

    public DateTime CreatedAt { get; set; }
}
