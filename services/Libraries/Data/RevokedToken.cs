namespace VexaService.Data;

/// <summary>
/// A key that was deleted (alone or with its user), written by a trigger on <c>api_tokens</c> in the same transaction.
/// Gateways poll these so that a revoked key stops within seconds even when the deleter could not reach Redis to drop
/// the key's cached lookup (<c>KeyRevocations</c> in the gateway). Rows older than a day are deleted.
/// </summary>
public sealed class RevokedToken
{
    public long Id { get; set; }

    /// <summary>The deleted key's <see cref="ApiToken.TokenHash"/>.</summary>
    public required string TokenHash { get; set; }

    public DateTime RevokedAt { get; set; }
}
