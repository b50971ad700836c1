namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Shares reads of the same key among callers that come while one is under way, without handing anyone an answer
/// older than their arrival: a caller that finds a read running waits for the next one, which starts when the running
/// one ends and serves everyone who came meanwhile. So a burst of N callers costs at most two reads.
/// </summary>
public sealed class ReadCoalescer<TKey, T> where TKey : notnull
{
    private sealed class Flight(Func<Task<T>> read)
    {
        public Func<Task<T>> Read { get; } = read;
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Slot
    {
        public Flight? Running;
        public Flight? Queued;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Slot> _slots = [];

    /// <summary>The number of keys with a read under way (for tests).</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _slots.Count;
            }
        }
    }

    /// <param name="read">How to read, if this caller's read is the one that runs. It must not depend on the caller's
    /// request staying alive: it may serve others after this caller is gone.</param>
    public Task<T> ReadAsync(TKey key, Func<Task<T>> read)
    {
        Flight flight;
        lock (_gate)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                _slots[key] = slot = new Slot();
            }
            if (slot.Running is not null)
            {
                slot.Queued ??= new Flight(read);
                return slot.Queued.Done.Task;
            }
            slot.Running = flight = new Flight(read);
        }
        _ = RunAsync(key, flight);
        return flight.Done.Task;
    }

    private async Task RunAsync(TKey key, Flight flight)
    {
        while (true)
        {
            try
            {
                flight.Done.SetResult(await flight.Read());
            }
            catch (Exception e)
            {
                flight.Done.SetException(e);
            }
            lock (_gate)
            {
                var slot = _slots[key];
                slot.Running = slot.Queued;
                slot.Queued = null;
                if (slot.Running is null)
                {
                    _slots.Remove(key);
                    return;
                }
                flight = slot.Running;
            }
        }
    }
}
