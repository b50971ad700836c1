using Microsoft.Extensions.Configuration;

namespace VexaService.AppHost;

internal static class ConfigPassthrough
{
    /// <summary>
    /// Hands the AppHost's configuration section <paramref name="section"/> (e.g. <c>RateLimit__PermitLimit=0</c> in the
    /// AppHost's environment) to one service as its own settings, so a run (such as the benchmark) can tune that
    /// service without editing it. Nothing is added when the section is absent, so the manifest does not change.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfigSection(this IResourceBuilder<ProjectResource> service,
        IConfiguration configuration, string section)
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                service.WithEnvironment($"{section}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
            }
        }
        return service;
    }
}
