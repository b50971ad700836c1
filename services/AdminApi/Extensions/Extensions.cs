using VexaService.AdminApi.Services;
using VexaService.Shared.Api;
using VexaService.Shared.Auth;
using VexaService.Shared.Data;

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
