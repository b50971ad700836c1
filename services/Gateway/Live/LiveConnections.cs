using System.Collections.Concurrent;

namespace VexaService.Gateway.Live;

/// <summary>The <c>/ws</c> sockets each user holds open on this replica (<see cref="LiveOptions.MaxSocketsPerKey"/>).
/// A user with none has no entry, so the table holds only users connected now.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<long, int> _open = new();

    public int Users => _open.Count;

    /// <summary>Counts one more socket of <paramref name="userId"/>, unless they already hold <paramref name="max"/>.</summary>
    public bool TryOpen(long userId, int max)
    {
        if (_open.AddOrUpdate(userId, 1, (_, n) => n + 1) <= max)
        {
            return true;
        }
        Close(userId);
        return false;
    }

    public void Close(long userId)
    {
        if (_open.AddOrUpdate(userId, 0, (_, n) => n - 1) <= 0)
        {
            // Only while it is still 0: a socket opened meanwhile keeps the entry.
            _open.TryRemove(new KeyValuePair<long, int>(userId, 0));
        }
    }
}
