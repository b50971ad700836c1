using OpenTelemetry.Instrumentation.AspNetCore;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Extensions;

public static class Extensions
{
    /// <summary>Everything the emulator needs: options, the in-memory Vexa state, the bot lifecycle and the webhook client.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // The emulator stands in for an external Wholesaler, whose own traces a deployment never sees: it records a
        // request only as a part of its caller's trace. The Retailer's background polls are not traced, so without this
        // each of them (the follower's GET /bots/status every 5 s) would be a root trace of its own on an idle dashboard.
        // Only its own requests: where services share a process (tests), every service's requests pass this filter.
        services.Configure<AspNetCoreTraceInstrumentationOptions>(options =>
        {
            var defaults = options.Filter;
            options.Filter = context => (defaults?.Invoke(context) ?? true)
                && (context.Request.Headers.ContainsKey("traceparent") || context.RequestServices.GetService<MeetingStore>() is null);
        });

        services.AddOptions<EmulatorOptions>()
            .BindConfiguration(EmulatorOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.ConfigureHttpJsonOptions(options =>
        {
            EmulatorJsonContext.Configure(options.SerializerOptions);
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJsonContext.Default);
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<SystemUser>();
        services.AddSingleton<MeetingStore>();
        services.AddSingleton<TranscriptGenerator>();
        services.AddSingleton<RequestStats>();
        services.AddSingleton<FaultState>();
        services.AddSingleton<EmulatorBehaviour>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddSingleton<GenerationLimiter>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<EmulatorInstance>();
        services.AddSingleton<BotScheduler>();
        services.AddSingleton<LiveSessionFactory>();
        services.AddHostedService(sp => sp.GetRequiredService<BotScheduler>());

        return builder;
    }
}
