using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.AppHost;

internal static class Secrets
{
    /// <summary>
    /// A secret parameter with a generated default: in run mode it is generated once and kept in the AppHost's
    /// user secrets (stable across restarts); in the manifest it becomes a generated input for azd.
    /// <c>Parameters__&lt;name&gt;</c> or user secrets override it.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name,
            new GenerateParameterDefault { MinLength = 40, Special = false },
            secret: true,
            persist: builder.ExecutionContext.IsRunMode);

    /// <summary>Prints the admin key to the AppHost console in run mode (it is also on the dashboard's Parameters).</summary>
    public static void ShowAdminKeyOnStart(this IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> adminKey)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>(async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VexaService");
            logger.LogInformation("Admin API key (send as X-Admin-API-Key to the gateway): {AdminApiKey}",
                await adminKey.Resource.GetValueAsync(ct));
        });
    }
}
