using Microsoft.Extensions.Options;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Http;
using VexaService.Wholesaler;
using VexaService.Transcripts.Services;
using VexaService.Transcripts.Webhooks;

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

        builder.Services.AddScoped<MeetingStore>();
        builder.Services.AddScoped<MeetingRemoval>();
        builder.Services.AddScoped<TranscriptStore>();
        builder.Services.AddTranscriptCopies();
        builder.Services.AddScoped<MeetingFollower>();

        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<WebhookRelay>();
        builder.Services.AddSingleton<WholesalerWebhookInbox>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WholesalerWebhookInbox>());
        builder.Services.AddSingleton<CallbackReadBack>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookTestCooldown>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddSingleton<WebhookRegistration>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookRegistration>());
        builder.Services.AddHealthChecks().AddCheck<WebhookRegistration>("wholesaler-callback");
#pragma warning disable EXTEXP0001 // the outbox owns retries; the defaults' retry pipeline would multiply them
        builder.Services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var webhooks = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return WebhookTargetGuard.CreateHandler(webhooks.AllowPrivateTargets, webhooks.MaxConnectionsPerHost);
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
