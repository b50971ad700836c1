using VexaService.Contracts;
using Yarp.ReverseProxy.Forwarder;

namespace VexaService.Gateway.Proxy;

/// <summary>
/// When a downstream service cannot be reached or times out, answer like Vexa's gateway:
/// 503 <c>{"detail": "Service unavailable: ..."}</c>, instead of YARP's empty 502/504.
/// </summary>
public sealed class ForwarderErrorMiddleware(RequestDelegate next, ILogger<ForwarderErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }
        var cluster = context.GetReverseProxyFeature().Route.Config.ClusterId;
        if (error.Error is ForwarderError.RequestBodyClient or ForwarderError.RequestCanceled)
        {
            // The client's side failed (body over the limit, upload aborted): its mistake, not an outage.
            var tooLarge = Chain(error.Exception).OfType<BadHttpRequestException>().Any(e => e.StatusCode == StatusCodes.Status413PayloadTooLarge);
            await TypedResults.Json(new ErrorBody(tooLarge ? "Request body too large." : "The request body could not be read."),
                statusCode: tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }
        logger.LogWarning(error.Exception, "Forwarding to {Cluster} failed: {Error}", cluster, error.Error);
        var detail = error.Error is ForwarderError.RequestTimedOut
            ? $"Service unavailable: {cluster} did not answer in time"
            : $"Service unavailable: {cluster} could not be reached";
        await TypedResults.Json(new ErrorBody(detail), statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
