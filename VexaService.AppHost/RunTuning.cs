using Microsoft.Extensions.Configuration;

namespace VexaService.AppHost;

/// <summary>
/// Run-mode settings for measuring the app (scripts/bench.sh) rather than stepping through it. Both default to
/// Aspire's developer behaviour and neither touches the manifest.
/// </summary>
internal static class RunTuning
{
    /// <summary>
    /// <c>RunTuning:TraceSampling=0.01</c>: Aspire sets <c>OTEL_TRACES_SAMPLER=always_on</c> on every project so the
    /// dashboard shows each request; under load, exporting and ingesting those spans costs more CPU than the requests
    /// themselves. A ratio samples root traces instead (children follow their parent), as a deployment would.
    /// <para>
    /// <c>RunTuning:ServiceProxies=false</c>: each service listens on its launch-profile port itself instead of behind
    /// a DCP proxy (one fewer hop per call; only one replica of each service then).
    /// </para>
    /// Call after every project is added.
    /// </summary>
    public static void ApplyRunTuning(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        var projects = builder.Resources.OfType<ProjectResource>().ToList();
        if (builder.Configuration["RunTuning:TraceSampling"] is { Length: > 0 } ratio)
        {
            // Added after Aspire's own OTLP settings, so these win.
            foreach (var project in projects)
            {
                project.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
                {
                    env["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
                    env["OTEL_TRACES_SAMPLER_ARG"] = ratio;
                }));
            }
        }
        if (!builder.Configuration.GetValue("RunTuning:ServiceProxies", true))
        {
            foreach (var endpoint in projects.SelectMany(p => p.Annotations.OfType<EndpointAnnotation>()))
            {
                endpoint.IsProxied = false;
            }
        }
    }
}
