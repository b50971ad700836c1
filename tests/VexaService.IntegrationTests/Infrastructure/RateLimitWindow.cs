namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway counts a key's requests in fixed windows aligned to the Unix epoch (EdgeLookup). A test that counts
/// answers must not straddle a window's end, or the next window's permits are counted as its own: once in CI, two
/// replicas allowed 6 of a 5-request limit, the test running at 08:55:00.
/// </summary>
public static class RateLimitWindow
{
    /// <summary>Waits, when needed, until the current window has at least <paramref name="needed"/> left.</summary>
    public static async Task WaitForRoomAsync(TimeSpan window, TimeSpan needed)
    {
        var windowMs = (long)window.TotalMilliseconds;
        var leftMs = windowMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % windowMs;
        if (leftMs < needed.TotalMilliseconds)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(leftMs + 50), TestContext.Current.CancellationToken);
        }
    }
}
