using VexaService.Shared.Api;
using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;
using VexaService.Transcripts.Services;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVexaApiDefaults();
        builder.AddVexaData();
        builder.AddVexaRedis();
        builder.AddWholesalerClient();
        builder.Services.AddScoped<MeetingStore>();
        return builder;
    }
}
