namespace VexaService.Data;

/// <summary>
/// The events a user's webhook can receive, chosen with <c>PUT /user/webhook</c> (<c>"events"</c>, kept in
/// <c>users.data["webhook_events"]</c>). Without a choice a user gets the completion webhook only, as from Vexa.
/// </summary>
public static class WebhookEvents
{
    /// <summary>Vexa's completion webhook (contract §8): the meeting itself, when it ends <c>completed</c> or <c>failed</c>.</summary>
    public const string Completed = "meeting.completed";

    /// <summary>Vexa's status-change webhook (contract §15): one per change of the meeting's status, in order.</summary>
    public const string StatusChange = "meeting.status_change";

    /// <summary>Sent by <c>POST /user/webhook/test</c> only; never chosen.</summary>
    public const string Test = "webhook.test";

    /// <summary>The key in <c>users.data</c> that holds the user's choice.</summary>
    public const string DataKey = "webhook_events";

    public static readonly string[] Selectable = [Completed, StatusChange];
    public static readonly string[] Default = [Completed];
}

/// <param name="Source">Vexa's <c>transition_source</c>: <c>wholesaler</c> (its webhook or our poll of it), <c>user</c>
/// (a stop asked through our API), or what the Wholesaler itself reported.</param>
/// <param name="Reason">The Wholesaler's reason, when it gave one.</param>
public sealed record StatusTransition(string Source, string? Reason = null)
{
    public static readonly StatusTransition Wholesaler = new("wholesaler");
    public static readonly StatusTransition User = new("user");
}
