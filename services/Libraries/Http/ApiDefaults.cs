using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using VexaService.Contracts;
using VexaService.Observability;

namespace VexaService.Http;

public static class ApiDefaults
{
    /// <summary>Largest request body any endpoint accepts; the biggest legitimate one is a few KB of meeting data.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>What every Retailer HTTP service shares: snake_case JSON like Vexa, a body limit, caller identities.</summary>
    public static IHostApplicationBuilder AddVexaApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<JsonOptions>(options => VexaJson.Configure(options.SerializerOptions));
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options =>
            options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CallerToken>();
        builder.Services.TryAddSingleton<VexaMetrics>();
        return builder;
    }
}
