using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using VexaService.Wholesaler;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// At start-up, tells the Wholesaler where to send its webhooks (retrying while it is unavailable or refuses). Until it
/// has accepted, this service's health is Degraded with the reason (the dashboard and <c>/health</c> show it; a
/// Degraded service still takes traffic): without the callback the Wholesaler's webhooks are lost and statuses arrive
/// only through the follower's polling.
/// </summary>
public sealed class WebhookRegistration(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, ILogger<WebhookRegistration> logger)
    : BackgroundService, IHealthCheck
{
    private volatile string? _problem = "The webhook callback has not been registered with the Wholesaler yet";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_problem is { } problem ? HealthCheckResult.Degraded(problem) : HealthCheckResult.Healthy());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            _problem = "Webhooks:PublicBaseUrl is not set: the Wholesaler's webhooks will not reach us";
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
                    _problem = null;
                    logger.LogInformation("Registered our webhook callback {Url} with the Wholesaler", options.Value.PublicBaseUrl);
                    return;
                }
                _problem = $"The Wholesaler refused our webhook callback URL {options.Value.PublicBaseUrl} ({answer.Status}: {answer.Detail})";
                logger.LogError("The Wholesaler refused our webhook callback URL {Url} ({Status}: {Detail}); retrying in {Delay}",
                    options.Value.PublicBaseUrl, answer.Status, answer.Detail, delay);
            }
            catch (WholesalerUnavailableException e)
            {
                _problem = $"The Wholesaler could not be reached to register our webhook callback ({e.Detail})";
                logger.LogWarning("Could not register the webhook callback yet ({Detail}); retrying in {Delay}", e.Detail, delay);
            }
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
        }
    }
}
