using System.Collections.Concurrent;

namespace VexaService.Gateway.Live;

/// <summary>The <c>/ws</c> sockets each API key holds open on this replica (<see cref="LiveOptions.MaxSocketsPerKey"/>;
/// keys are the operator's to give, so a user's keys each have their own). A key with none has no entry, so the table
/// holds only keys connected now.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<long, int> _open = new();
    private readonly ConcurrentDictionary<LiveSocket, byte> _sockets = new();

    public int Keys => _open.Count;

    /// <summary>Counts one more socket of key <paramref name="tokenId"/>, unless it already holds <paramref name="max"/>.</summary>
    public bool TryOpen(long tokenId, int max)
    {
        if (_open.AddOrUpdate(tokenId, 1, (_, n) => n + 1) <= max)
        {
            return true;
        }
        Close(tokenId);
        return false;
    }

    /// <summary>The sockets open now, for the checks that reach every one (<see cref="LiveKeyCheck"/>).</summary>
    public ICollection<LiveSocket> Sockets => _sockets.Keys;

    public void Track(LiveSocket socket) => _sockets.TryAdd(socket, 0);

    public void Untrack(LiveSocket socket) => _sockets.TryRemove(socket, out _);

    public void Close(long tokenId)
    {
        if (_open.AddOrUpdate(tokenId, 0, (_, n) => n - 1) <= 0)
        {
            // Only while it is still 0: a socket opened meanwhile keeps the entry.
            _open.TryRemove(new KeyValuePair<long, int>(tokenId, 0));
        }
    }
}
