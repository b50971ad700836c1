namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// A timer queue for the bots' delayed transitions (stop → completed, immediate leaves): one background loop runs
/// each piece of work when it is due, instead of a timer per bot.
/// </summary>
public sealed class BotScheduler(TimeProvider time, ILogger<BotScheduler> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Action, DateTime> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);

    public void Schedule(DateTime dueUtc, Action work)
    {
        lock (_gate)
        {
            _queue.Enqueue(work, dueUtc);
        }
        _wake.Release();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Action? work = null;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_gate)
            {
                if (_queue.TryPeek(out _, out var due))
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    if (due <= now)
                    {
                        work = _queue.Dequeue();
                    }
                    else
                    {
                        wait = due - now;
                    }
                }
            }

            if (work is not null)
            {
                try
                {
                    work();
                }
                catch (Exception error)
                {
                    logger.LogError(error, "Scheduled bot transition failed");
                }
                continue;
            }

            try
            {
                await _wake.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
