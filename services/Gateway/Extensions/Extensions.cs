using VexaService.Gateway.Auth;
using VexaService.Gateway.Caching;
using VexaService.Shared.Api;
using VexaService.Shared.Caching;
using VexaService.Shared.Data;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVexaApiDefaults();
        builder.AddVexaData();
        builder.AddVexaRedis();

        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<EdgeLookup>();
        builder.Services.AddOptions<TranscriptCacheOptions>().BindConfiguration(TranscriptCacheOptions.Section);
        builder.Services.AddSingleton<TranscriptRouteCache>();
        builder.Services.AddSingleton<TranscriptBodies>();

        // Vexa's gateway allows every origin, method and header, with credentials.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            policy.SetIsOriginAllowed(_ => true).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }
}
