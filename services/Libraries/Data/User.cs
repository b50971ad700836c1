namespace VexaService.Data;

/// <summary>One of our end users (a tenant of the Retailer), as Vexa's <c>users</c> table.</summary>
public sealed class User
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public string? Name { get; set; }
    public string? ImageUrl { get; set; }
    public DateTime CreatedAt { get; set; }
    public int MaxConcurrentBots { get; set; } = 1;

    /// <summary>Free-form JSON object (jsonb); holds <c>webhook_url</c> among user-defined keys.</summary>
    public string Data { get; set; } = "{}";

    /// <summary>Key for signing webhook deliveries; never returned by the API.</summary>
    public string? WebhookSecret { get; set; }

    public List<ApiToken> ApiTokens { get; set; } = [];
}
