using VexaService.Transcripts.Webhooks;

namespace VexaService.UnitTests.Transcripts;

public sealed class ReadCoalescerTests
{
    [Fact]
    public async Task Callers_during_a_read_share_the_next_one_so_a_burst_costs_two_reads_and_nobody_gets_an_older_answer()
    {
        var coalescer = new ReadCoalescer<string, int>();
        var reads = 0;
        var gates = new[] { new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource() };
        Func<Task<int>> Read() => async () =>
        {
            var n = Interlocked.Increment(ref reads);
            await gates[n - 1].Task;
            return n;
        };

        var first = coalescer.ReadAsync("meeting", Read());
        // Nine more come while the first read runs: it may have started before their news, so they wait for the next.
        var burst = Enumerable.Range(0, 9).Select(_ => coalescer.ReadAsync("meeting", Read())).ToList();
        var otherKey = coalescer.ReadAsync("another meeting", Read());
        Assert.Equal(2, reads); // "meeting" once, "another meeting" once; the queued read has not started
        gates[0].SetResult();
        Assert.Equal(1, await first);
        gates[1].SetResult(); // the other key's read
        Assert.Equal(2, await otherKey);
        gates[2].SetResult();
        Assert.All(await Task.WhenAll(burst), answer => Assert.Equal(3, answer));
        Assert.Equal(3, reads);
        Assert.Equal(0, coalescer.InFlight);
    }

    [Fact]
    public async Task A_failed_read_fails_its_callers_only_and_the_next_caller_reads_again()
    {
        var coalescer = new ReadCoalescer<int, int>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => coalescer.ReadAsync(1, () => throw new InvalidOperationException("down")));
        Assert.Equal(7, await coalescer.ReadAsync(1, () => Task.FromResult(7)));
        Assert.Equal(0, coalescer.InFlight);
    }
}
