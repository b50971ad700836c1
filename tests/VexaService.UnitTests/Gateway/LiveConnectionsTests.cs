using VexaService.Gateway.Live;

namespace VexaService.UnitTests.Gateway;

public sealed class LiveConnectionsTests
{
    [Fact]
    public void A_key_holds_at_most_the_limit_and_a_refused_socket_takes_no_place()
    {
        var connections = new LiveConnections();
        Assert.True(connections.TryOpen(7, max: 2));
        Assert.True(connections.TryOpen(7, max: 2));
        Assert.False(connections.TryOpen(7, max: 2));
        Assert.True(connections.TryOpen(8, max: 2)); // another key's count is its own
        connections.Close(7);
        Assert.True(connections.TryOpen(7, max: 2));
    }

    [Fact]
    public async Task Keys_that_closed_every_socket_leave_no_entry_behind()
    {
        var connections = new LiveConnections();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = (worker * 20_000 + i) % 50;
                if (connections.TryOpen(key, max: 3))
                {
                    connections.Close(key);
                }
            }
        }, TestContext.Current.CancellationToken)));
        Assert.Equal(0, connections.Keys);
        Assert.True(connections.TryOpen(1, max: 1)); // and counts start from zero again
        Assert.False(connections.TryOpen(1, max: 1));
    }
}
