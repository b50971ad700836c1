using Microsoft.Extensions.Options;
using VexaService.Shared.Wholesaler;

namespace VexaService.Transcripts.Webhooks;

/// <summary>At start-up, tells the Wholesaler where to send completion webhooks (retrying while it is unavailable).</summary>
public sealed class WebhookRegistration(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, ILogger<WebhookRegistration> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            logger.LogWarning("Webhooks:PublicBaseUrl is not set: completion webhooks from the Wholesaler will not reach us");
            return;
        }
        var url = options.Value.PublicBaseUrl.TrimEnd('/') + options.Value.CallbackPath;
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var answer = await scope.ServiceProvider.GetRequiredService<WholesalerClient>().SetWebhookAsync(url, stoppingToken);
                if (answer.IsSuccess)
                {
                    logger.LogInformation("Registered our webhook callback with the Wholesaler");
                    return;
                }
                logger.LogError("The Wholesaler refused our webhook callback URL ({Status}: {Detail})", answer.Status, answer.Detail);
            }
            catch (WholesalerUnavailableException e)
            {
                logger.LogWarning("Could not register the webhook callback yet ({Detail}); retrying in {Delay}", e.Detail, delay);
            }
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
        }
    }
}
