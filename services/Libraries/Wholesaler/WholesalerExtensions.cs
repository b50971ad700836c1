using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace VexaService.Wholesaler;

public static class WholesalerExtensions
{
    public static IHostApplicationBuilder AddWholesalerClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WholesalerOptions>()
            .BindConfiguration(WholesalerOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.AuthMode is "ApiKey" || (o.AuthMode is "OAuth2" && !string.IsNullOrEmpty(o.OAuth2.TokenEndpoint)
                && !string.IsNullOrEmpty(o.OAuth2.ClientId)), "Wholesaler:AuthMode must be ApiKey, or OAuth2 with OAuth2:TokenEndpoint and OAuth2:ClientId")
            .ValidateOnStart();
        builder.Services.AddSingleton<Generations.CurrentGeneration>();
        builder.Services.AddHostedService<Generations.GenerationStartupCheck>();
        builder.Services.AddHealthChecks().AddCheck<Generations.CurrentGeneration>("wholesaler-generation");

        var options = new WholesalerOptions();
        builder.Configuration.GetSection(WholesalerOptions.Section).Bind(options);
        builder.Services.AddTransient<SystemKeyHandler>();
        builder.Services.AddSingleton<WholesalerTokenSource>();
        builder.Services.AddSingleton<WholesalerIdentity>();
        builder.Services.AddTransient<BearerTokenHandler>();
        builder.Services.AddSingleton<WholesalerBudget>();
        builder.Services.TryAddSingleton<Observability.VexaMetrics>(); // its calls are counted, whoever uses the client
        builder.Services.AddTransient<WholesalerBudgetHandler>();
        builder.Services.AddSingleton<RunningBots>();
        builder.Services.AddHttpClient(WholesalerTokenSource.TokenClientName);

        // The probes that tell which Vexa the Wholesaler is: the system key, a short timeout, no retries and no budget
        // (the budget depends on their answer).
        var probe = builder.Services.AddHttpClient<Generations.GenerationProbe>((services, http) =>
            {
                var o = services.GetRequiredService<IOptions<WholesalerOptions>>().Value;
                http.BaseAddress = new Uri(o.BaseAddress.TrimEnd('/') + "/");
                http.Timeout = TimeSpan.FromSeconds(5);
            })
            .AddHttpMessageHandler<SystemKeyHandler>();
        if (options.AuthMode == "OAuth2")
        {
            probe.AddHttpMessageHandler<BearerTokenHandler>();
        }
#pragma warning disable EXTEXP0001
        probe.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        var client = builder.Services.AddHttpClient<WholesalerClient>((services, http) =>
            {
                var o = services.GetRequiredService<IOptions<WholesalerOptions>>().Value;
                http.BaseAddress = new Uri(o.BaseAddress.TrimEnd('/') + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .AddHttpMessageHandler<SystemKeyHandler>();
        if (options.AuthMode == "OAuth2")
        {
            client.AddHttpMessageHandler<BearerTokenHandler>();
        }

        // Replace the default pipeline: retries only for calls that are safe to repeat, never POST/PATCH/DELETE
        // (a repeated POST /bots could start a second bot).
#pragma warning disable EXTEXP0001 // evaluation API, but the documented way to replace the defaults' pipeline
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        client.AddStandardResilienceHandler(resilience =>
        {
            resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
            resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
            resilience.Retry.MaxRetryAttempts = 2;
            // Small backoff so both retries fit in the total budget (the default 2 s base would not).
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(300);
            resilience.Retry.DisableFor(HttpMethod.Post, HttpMethod.Patch, HttpMethod.Delete);
            // A 429's Retry-After is for every replica to wait out (WholesalerBudget), not for this request to sleep
            // through: the retry meets the budget's hold at once and the user gets a 503 with the Retry-After.
            resilience.Retry.ShouldRetryAfterHeader = false;
            resilience.CircuitBreaker.FailureRatio = options.BreakerFailureRatio;
            resilience.CircuitBreaker.MinimumThroughput = options.BreakerMinimumThroughput;
            resilience.CircuitBreaker.BreakDuration = options.BreakerBreakDuration;
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(options.AttemptTimeout.TotalSeconds * 2, 10));
        });
        // Inside the pipeline, so that every attempt (each retry too) takes from the shared budget.
        client.AddHttpMessageHandler<WholesalerBudgetHandler>();
        return builder;
    }
}
