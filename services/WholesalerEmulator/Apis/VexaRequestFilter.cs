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
}

/// <summary>
/// The checks in the order Vexa makes them: the gateway's <c>{platform}</c> enum (422, before anything else), then
/// FastAPI's JSON decoding of the body (422 / 400), then the service's API-key dependency (401/403). Body model
/// validation happens after this, in the handler.
/// </summary>
public sealed class VexaRequestFilter(ApiKeyScheme scheme) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.RouteValues.TryGetValue("platform", out var platform) && !Platforms.IsValid(platform as string))
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
