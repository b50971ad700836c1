using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>The configured faults and how a request suffers them.</summary>
public sealed class FaultState(IHostApplicationLifetime lifetime)
{
    /// <summary><c>lose_answer</c>: the request is handled (a bot starts, a meeting is deleted), then the connection drops.</summary>
    public static readonly IReadOnlyList<string> Modes = ["normal", "refuse", "hang", "lose_answer"];

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

    /// <summary>
    /// Handles the request, then holds its answer back for <c>answer_delay_ms</c> or drops it (<c>lose_answer</c>).
    /// Unlike <c>latency_ms</c>, a client that gives up meanwhile does not undo anything: what it asked for was done.
    /// </summary>
    public async Task HandleThenAnswerAsync(HttpContext context, RequestDelegate next)
    {
        var faults = _current;
        if (!faults.AfterCommit)
        {
            await next(context);
            return;
        }
        var answer = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = answer;
        }
        try
        {
            await Task.Delay(faults.AnswerDelayMs, lifetime.ApplicationStopping);
            if (faults.Mode == "lose_answer")
            {
                context.Abort();
                return;
            }
            held.Position = 0;
            await held.CopyToAsync(answer, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            context.Abort(); // the client left while the answer was held back
        }
    }
}
