
namespace VexaService.AppHost;

/// <summary>How the services reach the Wholesaler: its base address (resource "wholesaler") and the system key.</summary>
internal sealed record WholesalerConnection(
    IResourceBuilder<ExternalServiceResource>? External,
    IResourceBuilder<ProjectResource>? Emulator,
    IResourceBuilder<ParameterResource> ApiKey,
    IResourceBuilder<ParameterResource>? Url = null);

internal static class Wholesaler
{
    public static WholesalerConnection AddWholesaler(this IDistributedApplicationBuilder builder)
    {
        var useEmulator = builder.ExecutionContext.IsRunMode
            && string.IsNullOrWhiteSpace(builder.Configuration["Parameters:wholesaler-url"]);

        if (!useEmulator)
        {
            var url = builder.AddParameter("wholesaler-url");
            var key = builder.AddParameter("wholesaler-api-key", secret: true);
            // Every Vexa gateway serves its OpenAPI document without a key and outside its rate limits (0.12 has no GET /);
            // the AppHost shows its health, but nothing waits for it: the services must survive a Wholesaler outage anyway.
            var external = builder.AddExternalService("wholesaler", url).WithHttpHealthCheck("/openapi.json");
            return new WholesalerConnection(external, null, key, url);
        }

        var systemKey = builder.AddSecret("wholesaler-api-key");
        var emulator = builder.AddProject<Projects.WholesalerEmulator>("wholesaler")
            .WithEnvironment("Emulator__SystemApiKey", systemKey)
            // Plays Vexa as of September 2025 (statuses pushed by webhooks). Emulator__Behaviour=0.12 (self-hosted Vexa
            // today), =1.5 (the hosted API) or =dfc7c83e in the AppHost's environment plays another; the services learn
            // which at start (Wholesaler__Generation=auto).
            .WithEnvironment("Emulator__Behaviour", "2025-09")
            .WithConfigSection(builder.Configuration, "Emulator") // timing knobs, e.g. Emulator__BotJoinDelayMs=0
            .WithHttpHealthCheck("/health");
        return new WholesalerConnection(null, emulator, systemKey);
    }

    /// <summary>The gateway's upstream for live transcripts: the Wholesaler's own address (its <c>/ws</c>), since a
    /// WebSocket client does not go through service discovery.</summary>
    public static IResourceBuilder<ProjectResource> WithLiveFeed(this IResourceBuilder<ProjectResource> gateway, WholesalerConnection wholesaler) =>
        wholesaler.Emulator is { } emulator
            ? gateway.WithEnvironment("Live__WholesalerUrl", emulator.GetEndpoint("http"))
            : gateway.WithEnvironment("Live__WholesalerUrl", wholesaler.Url!);

    public static IResourceBuilder<ProjectResource> WithWholesaler(this IResourceBuilder<ProjectResource> service,
        WholesalerConnection wholesaler)
    {
        if (wholesaler.Emulator is { } emulator)
        {
            service.WithReference(emulator).WaitFor(emulator);
        }
        else
        {
            service.WithReference(wholesaler.External!);
        }
        return service
            .WithConfigSection(service.ApplicationBuilder.Configuration, "Wholesaler") // e.g. Wholesaler__BudgetPerSecond=40
            .WithEnvironment("Wholesaler__ApiKey", wholesaler.ApiKey);
    }
}
