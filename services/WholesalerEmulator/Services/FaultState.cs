using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>The configured faults and how a request suffers them.</summary>
public sealed class FaultState(IHostApplicationLifetime lifetime)
{
    public static readonly IReadOnlyList<string> Modes = ["normal", "refuse", "hang"];

    private volatile FaultSettings _current = FaultSettings.None;

    public FaultSettings Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>Applies the faults; false when the request has been answered (or dropped) here.</summary>
    public async Task<bool> ApplyAsync(HttpContext context)
    {
        var faults = _current;
        if (ReferenceEquals(faults, FaultSettings.None))
        {
            return true;
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            switch (faults.Mode)
            {
                case "refuse":
                    context.Abort();
                    return false;
                case "hang":
                    await Task.Delay(Timeout.Infinite, cancel.Token);
                    return false;
            }
            if (faults.LatencyMs > 0)
            {
                await Task.Delay(faults.LatencyMs, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return false;
        }
        if (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate)
        {
            context.Response.StatusCode = faults.ErrorStatus;
            await context.Response.WriteAsJsonAsync(new ErrorBody("Service unavailable: emulated fault"),
                EmulatorJsonContext.Web.ErrorBody);
            return false;
        }
        return true;
    }
}
