using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using VexaService.Contracts;

namespace VexaService.Http;

/// <summary>The authenticated end user of a request, as vouched for by the gateway, with the scopes of the key they
/// used when the gateway told them (null: not told).</summary>
public sealed record Caller(long UserId, IReadOnlyList<string>? Scopes = null)
{
    internal static readonly object ItemKey = new();

    /// <summary>Binds the caller that <see cref="CallerExtensions.UseCallerIdentity"/> verified for this request.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items[ItemKey] as Caller);
}

/// <summary>Marks endpoints that need a caller; <see cref="RejectionDetail"/> is the route family's 403 text.</summary>
public sealed record CallerRequirement(string RejectionDetail);

public static class CallerExtensions
{
    /// <summary>Every endpoint of the group requires a valid signed caller identity (checked before binding).</summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder group, string rejectionDetail)
        where TBuilder : IEndpointConventionBuilder =>
        group.WithMetadata(new CallerRequirement(rejectionDetail));

    /// <summary>
    /// Verifies <see cref="CallerToken.HeaderName"/> for endpoints that require a caller. Anything else — a request
    /// that bypassed the gateway, a forged or expired identity — gets 403 before the endpoint runs.
    /// </summary>
    public static WebApplication UseCallerIdentity(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<CallerRequirement>() is { } requirement)
            {
                var tokens = context.RequestServices.GetRequiredService<CallerToken>();
                if (!tokens.TryVerify(context.Request.Headers[CallerToken.HeaderName], out var userId, out var scopes))
                {
                    await TypedResults.Json(new ErrorBody(requirement.RejectionDetail), statusCode: StatusCodes.Status403Forbidden)
                        .ExecuteAsync(context);
                    return;
                }
                context.Items[Caller.ItemKey] = new Caller(userId, scopes);
            }
            await next(context);
        });
        return app;
    }
}
