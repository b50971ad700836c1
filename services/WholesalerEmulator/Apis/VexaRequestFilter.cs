using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;
using VexaService.WholesalerEmulator.Validation;

namespace VexaService.WholesalerEmulator.Apis;

/// <summary>How one Vexa service answers a missing or wrong X-API-Key (contract section 2).</summary>
public sealed record ApiKeyScheme(int MissingStatus, string MissingDetail, int InvalidStatus, string InvalidDetail)
{
    public static readonly ApiKeyScheme BotManager = new(403, "Missing API token (X-API-Key header)", 403, "Invalid API token");
    public static readonly ApiKeyScheme TranscriptionCollector = new(403, "Missing API token", 403, "Invalid API token");
    public static readonly ApiKeyScheme AdminApi = new(401, "Missing API Key", 403, "Invalid API Key");

    /// <summary>0.12's and 1.5's gateway checks every key itself: 401 both (403 means a missing scope).</summary>
    public static readonly ApiKeyScheme Gateway = new(401, "Missing API key", 401, "Invalid API key");
}

/// <summary>
/// The checks in the order Vexa makes them: the gateway's <c>{platform}</c> enum (422, before anything else; 0.12's
/// gateway leaves the platform to the service behind it and checks the key first, then
/// FastAPI's JSON decoding of the body (422 / 400), then the service's API-key dependency (401/403). Body model
/// validation happens after this, in the handler.
/// </summary>
public sealed class VexaRequestFilter(ApiKeyScheme scheme) : IEndpointFilter
{
    private readonly ApiKeyScheme scheme = scheme;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var generation = http.RequestServices.GetRequiredService<Services.EmulatorBehaviour>().Current.Generation;
        var scheme = generation.HasGatewayAuth ? ApiKeyScheme.Gateway : this.scheme;
        if (!generation.HasGatewayAuth && http.Request.RouteValues.TryGetValue("platform", out var platform) && !Platforms.IsValid(platform as string))
        {
            return PydanticErrors.Result(PydanticErrors.NotPlatform("path", "platform"));
        }

        foreach (var argument in context.Arguments)
        {
            if (argument is JsonBody { Kind: JsonBodyKind.InvalidJson, DecodeError: { } decodeError })
            {
                return PydanticErrors.Result(decodeError);
            }
            if (argument is JsonBody { Kind: JsonBodyKind.Undecodable })
            {
                return TypedResults.BadRequest(new ErrorBody("There was an error parsing the body"));
            }
        }

        var check = http.RequestServices.GetRequiredService<ApiKeyValidator>().Check(http.Request.Headers[ApiKeyValidator.HeaderName]);
        return check switch
        {
            ApiKeyCheck.Missing => TypedResults.Json(new ErrorBody(scheme.MissingDetail), EmulatorJsonContext.Web.ErrorBody,
                statusCode: scheme.MissingStatus),
            ApiKeyCheck.Invalid => TypedResults.Json(new ErrorBody(scheme.InvalidDetail), EmulatorJsonContext.Web.ErrorBody,
                statusCode: scheme.InvalidStatus),
            _ when generation.HasGatewayAuth && http.Request.RouteValues.TryGetValue("platform", out var named)
                && !Platforms.IsValid(named as string) => PydanticErrors.Result(PydanticErrors.NotPlatform("path", "platform")),
            _ => await next(context),
        };
    }
}

public static class VexaRequestFilterExtensions
{
    public static TBuilder RequireVexaApiKey<TBuilder>(this TBuilder builder, ApiKeyScheme scheme)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new VexaRequestFilter(scheme));
}
