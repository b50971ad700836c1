using VexaService.BotManager.Services;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Http;
using VexaService.Wholesaler;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVexaApiDefaults();
        builder.AddVexaOpenApi();
        builder.AddVexaData();
        builder.AddVexaRedis();
        builder.AddWholesalerClient();
        builder.Services.AddScoped<BotStatusReader>();
        builder.Services.AddScoped<BotLifecycle>();
        builder.Services.AddTranscriptCopies();
        builder.Services.AddOptions<ReconcilerOptions>().BindConfiguration(ReconcilerOptions.Section);
        builder.Services.AddSingleton<BotReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BotReconciler>());
        return builder;
    }
}
