using VexaService.AdminApi.Services;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Http;
using VexaService.Keys;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVexaApiDefaults();
        builder.AddVexaOpenApi();
        builder.AddVexaData();
        builder.AddVexaRedis();

        builder.Services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AdminKeyCheck>();
        builder.Services.AddSingleton<TokenCache>();
        builder.Services.AddScoped<UserDirectory>();
        builder.Services.AddScoped<UsageReport>();
        builder.Services.AddSingleton<ApiTokenGenerator>();
        return builder;
    }
}
