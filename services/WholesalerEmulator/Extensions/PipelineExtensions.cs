using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Extensions;

public static class PipelineExtensions
{
    /// <summary>
    /// Every error comes out as FastAPI's <c>{"detail": ...}</c>: unknown path (404 "Not Found"), wrong method
    /// (405 "Method Not Allowed"), unreadable request (400) and our own failures (500), never with a stack trace.
    /// </summary>
    public static WebApplication UseVexaErrorResponses(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            var (status, detail) = error is BadHttpRequestException bad
                ? (bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode))
                : (StatusCodes.Status500InternalServerError, "Internal Server Error");
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new ErrorBody(detail), EmulatorJsonContext.Web.ErrorBody);
        }));

        app.UseStatusCodePages(async statusContext =>
        {
            var response = statusContext.HttpContext.Response;
            var reason = ReasonPhrases.GetReasonPhrase(response.StatusCode);
            await response.WriteAsJsonAsync(new ErrorBody(string.IsNullOrEmpty(reason) ? "Error" : reason),
                EmulatorJsonContext.Web.ErrorBody);
        });

        return app;
    }

    /// <summary>Every answer names the instance that gave it (<see cref="EmulatorInstance"/>).</summary>
    public static WebApplication UseInstanceHeader(this WebApplication app)
    {
        var instance = app.Services.GetRequiredService<EmulatorInstance>().Id;
        app.Use((context, next) =>
        {
            context.Response.Headers[EmulatorInstance.HeaderName] = instance;
            return next(context);
        });
        return app;
    }

    /// <summary>Counts what the Wholesaler receives (first), applies the per-key rate limit, then the configured faults.</summary>
    public static WebApplication UseEmulatorStatsAndFaults(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (IsVexaTraffic(context.Request.Path))
            {
                var stats = context.RequestServices.GetRequiredService<RequestStats>();
                var key = context.Request.Headers[ApiKeyValidator.HeaderName];
                stats.CountRequest(key);
                var play = context.RequestServices.GetRequiredService<EmulatorBehaviour>().Current;
                if (play.GenerationLimits && !context.Request.Path.StartsWithSegments("/openapi.json")
                    && !context.Request.Path.StartsWithSegments("/ws"))
                {
                    var refusal = context.RequestServices.GetRequiredService<GenerationLimiter>().TryPass(play.Generation, out var remaining);
                    if (refusal is not null)
                    {
                        stats.CountRateLimited();
                        context.Response.StatusCode = refusal.Status;
                        if (refusal.RetryAfter is { } seconds)
                        {
                            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        }
                        context.Response.ContentType = "application/json";
                        await context.Response.WriteAsync(refusal.Body);
                        return;
                    }
                    if (remaining is { } left)
                    {
                        context.Response.Headers["X-RateLimit-Limit"] = GenerationLimiter.HostedPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        context.Response.Headers["X-RateLimit-Remaining"] = left.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
                if (context.RequestServices.GetRequiredService<KeyRateLimiter>().TryTake(key.ToString()) is { } wait)
                {
                    stats.CountRateLimited();
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await context.Response.WriteAsJsonAsync(new ErrorBody("Rate limit exceeded. Please retry later."), EmulatorJsonContext.Web.ErrorBody);
                    return;
                }
                var faults = context.RequestServices.GetRequiredService<FaultState>();
                if (!await faults.ApplyAsync(context))
                {
                    return;
                }
                await faults.HandleThenAnswerAsync(context, next);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Vexa's own paths; the emulator's control endpoints and the health probes are exempt from stats and faults.</summary>
    private static bool IsVexaTraffic(PathString path) =>
        !path.StartsWithSegments("/_emulator") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/alive");
}
