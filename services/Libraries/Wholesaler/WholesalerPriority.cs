namespace VexaService.Wholesaler;

/// <summary>
/// Marks Wholesaler calls made for our own bookkeeping (confirming a webhook, a reconciliation pass) rather than for a
/// user waiting on an answer. Background calls leave part of the call budget to user-facing ones
/// (<see cref="WholesalerBudget"/>): with the hosted API's 2 calls a second for all our tenants, a burst of webhooks to
/// confirm must not starve what users poll.
/// </summary>
public static class WholesalerPriority
{
    private static readonly AsyncLocal<bool> Current = new();

    public static bool IsBackground => Current.Value;

    /// <summary>Calls made until the scope is disposed (on this async flow) are background calls.</summary>
    public static IDisposable Background()
    {
        var previous = Current.Value;
        Current.Value = true;
        return new Scope(previous);
    }

    private sealed class Scope(bool previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
