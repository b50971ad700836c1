using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VexaService.Wholesaler.Generations;

/// <summary>
/// Which Vexa the Wholesaler is: <c>Wholesaler:Generation</c> when it names one, otherwise learned from the probes
/// (<see cref="GenerationProbe"/>) at the first need, and learned again after an answer that only another Vexa gives
/// (an unexpected 404 or 422: <see cref="Suspect"/>). The health report says which and how it is known.
/// </summary>
public sealed class CurrentGeneration(GenerationProbe probe, IOptions<WholesalerOptions> options, TimeProvider time,
    ILogger<CurrentGeneration> logger) : IHealthCheck
{
    /// <summary>Probes again at most this often, however many answers look wrong.</summary>
    public static readonly TimeSpan RedetectEvery = TimeSpan.FromSeconds(30);

    /// <summary>And at least this often in the background: an upgraded Vexa at the same address need not answer
    /// anything unexpected to be noticed (the first probe, <c>/openapi.json</c>, is outside every rate limit).</summary>
    public static readonly TimeSpan ConfirmEvery = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _detecting = new(1, 1);
    private volatile WholesalerGeneration? _known = WholesalerGenerations.Named(options.Value.Generation);
    private volatile string _evidence = WholesalerGenerations.Named(options.Value.Generation) is null ? "" : "Wholesaler:Generation";
    private DateTimeOffset _lastDetection = DateTimeOffset.MinValue; // the last attempt, answered or not
    private int _probing;
    private volatile string? _problem;

    /// <summary>Known now, or null.</summary>
    public WholesalerGeneration? Known => _known;

    public bool IsConfigured => options.Value.Generation != WholesalerGenerations.Auto;

    /// <summary>The generation, probing first if it is not known yet. Throws <see cref="WholesalerUnavailableException"/>
    /// when the Wholesaler cannot be reached to tell.</summary>
    public async ValueTask<WholesalerGeneration> GetAsync(CancellationToken ct)
    {
        if (_known is not { } known)
        {
            return await DetectAsync(ct);
        }
        if (!IsConfigured && time.GetUtcNow() - _lastDetection > ConfirmEvery)
        {
            Suspect("confirming after five minutes");
        }
        return known;
    }

    public async Task<WholesalerGeneration> DetectAsync(CancellationToken ct)
    {
        if (IsConfigured)
        {
            return _known!;
        }
        await _detecting.WaitAsync(ct);
        try
        {
            if (_known is { } meanwhile && time.GetUtcNow() - _lastDetection < RedetectEvery)
            {
                return meanwhile;
            }
            ProbeResult found;
            _lastDetection = time.GetUtcNow();
            try
            {
                found = await probe.DetectAsync(ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                _problem = $"The Wholesaler could not be reached to learn which Vexa it is ({e.GetBaseException().Message})";
                if (_known is { } previous)
                {
                    return previous;
                }
                throw new WholesalerUnavailableException(503, "The meeting service could not be reached. Please retry later.", e);
            }
            _problem = null;
            if (_known != found.Generation)
            {
                logger.LogInformation("The Wholesaler {Address} is Vexa {Generation} ({Evidence})", options.Value.BaseAddress,
                    found.Generation.Name, found.Evidence);
            }
            _evidence = found.Evidence;
            _known = found.Generation;
            return found.Generation;
        }
        finally
        {
            _detecting.Release();
        }
    }

    /// <summary>An answer only another Vexa gives: probe again in the background (at most every <see cref="RedetectEvery"/>).</summary>
    public void Suspect(string what)
    {
        if (IsConfigured || time.GetUtcNow() - _lastDetection < RedetectEvery || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }
        logger.LogDebug("Learning again which Vexa the Wholesaler is ({What})", what);
        _ = Task.Run(async () =>
        {
            try
            {
                await DetectAsync(CancellationToken.None);
            }
            catch (WholesalerUnavailableException)
            {
                // Told in the health report; a later call probes again.
            }
            finally
            {
                Volatile.Write(ref _probing, 0);
            }
        });
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_known is { } known
            ? HealthCheckResult.Healthy($"Vexa {known.Name} ({_evidence})", new Dictionary<string, object> { ["generation"] = known.Name })
            : HealthCheckResult.Degraded(_problem ?? "Which Vexa the Wholesaler is has not been learned yet"));
}
