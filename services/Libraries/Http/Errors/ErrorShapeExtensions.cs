using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VexaService.Contracts;

namespace VexaService.Http;

public static class ErrorShapeExtensions
{
    /// <summary>
    /// Makes every error the service produces itself, including framework ones (unknown route, wrong method,
    /// unreadable body, unhandled exception), come out as <c>{"detail": ...}</c> and never with a stack trace.
    /// </summary>
    public static WebApplication UseDetailErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var failure = context.Features.Get<IExceptionHandlerFeature>();
            var error = failure?.Error;
            var (status, detail) = error switch
            {
                // Thrown by the framework for the client's mistakes: unreadable JSON, body too large, bad form.
                BadHttpRequestException bad => (bad.StatusCode, ClientMessage(bad)),
                // The Wholesaler (or another upstream) is down, slow or failing: 502/503/504 with a message fit for the end user.
                UpstreamUnavailableException unavailable => (unavailable.Status, unavailable.Detail),
                // Our own database or cache is briefly out of reach (restart, failover): retrying is right.
                _ when InfrastructureOutage.IsOutage(error) => (StatusCodes.Status503ServiceUnavailable,
                    "The service is temporarily unavailable. Please retry shortly."),
                _ => (StatusCodes.Status500InternalServerError, "Internal Server Error"),
            };
            if (status >= 500)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger("VexaService.Errors")
                    // The route's template, never the path: a path can carry a secret (the Wholesaler's callback).
                    .LogError(error, "Unhandled error on {Method} {Route}", context.Request.Method,
                        (failure?.Endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)");
            }
            context.Response.StatusCode = status;
            if (error is UpstreamUnavailableException { RetryAfter: { } wait })
            {
                RetryAfter.Set(context.Response, wait);
            }
            await context.Response.WriteAsJsonAsync(new ErrorBody(detail));
        }));

        app.UseStatusCodePages(async statusContext =>
        {
            var response = statusContext.HttpContext.Response;
            response.ContentType = "application/json";
            var reason = ReasonPhrases.GetReasonPhrase(response.StatusCode);
            await response.WriteAsJsonAsync(new ErrorBody(string.IsNullOrEmpty(reason) ? "Error" : reason));
        });

        return app;
    }

    private static string ClientMessage(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large.",
        StatusCodes.Status415UnsupportedMediaType => "Expected a JSON body (Content-Type: application/json).",
        _ => bad.InnerException is System.Text.Json.JsonException
            ? "Request body is not valid JSON."
            : "Bad request.",
    };
}
