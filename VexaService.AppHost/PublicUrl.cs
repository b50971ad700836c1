using Microsoft.Extensions.Configuration;

namespace VexaService.AppHost;

internal static class PublicUrl
{
    /// <summary>
    /// The Retailer's public address, where the Wholesaler sends its webhooks.
    /// <list type="bullet">
    /// <item>Deployed: the gateway's external https address, which Container Apps gives it; with
    /// <c>Deploy:CustomPublicUrl=true</c> at publish time, the parameter <c>retailer-public-url</c> instead (a custom
    /// domain in front of the gateway).</item>
    /// <item>Run mode: the parameter when set; else the gateway's own endpoint, written with 127.0.0.1 because Vexa
    /// refuses webhook URLs whose host has no top-level domain (such as <c>localhost</c>).</item>
    /// </list>
    /// Whether the Wholesaler accepted it shows in Transcripts' health (Degraded until then) and logs.
    /// </summary>
    public static ReferenceExpression RetailerPublicUrl(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway)
    {
        var custom = builder.ExecutionContext.IsPublishMode
            ? builder.Configuration.GetValue("Deploy:CustomPublicUrl", false)
            : !string.IsNullOrWhiteSpace(builder.Configuration["Parameters:retailer-public-url"]);
        if (custom)
        {
            var parameter = builder.AddParameter("retailer-public-url");
            return ReferenceExpression.Create($"{parameter}");
        }
        if (builder.ExecutionContext.IsPublishMode)
        {
            return ReferenceExpression.Create($"{gateway.GetEndpoint("https")}");
        }
        var endpoint = gateway.GetEndpoint("http");
        return ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");
    }
}
