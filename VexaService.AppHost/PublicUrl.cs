namespace VexaService.AppHost;

internal static class PublicUrl
{
    /// <summary>
    /// The parameter <c>retailer-public-url</c> when set (required in publish mode: the address the real Wholesaler
    /// can call back). In run mode without it, the gateway's own endpoint, written with 127.0.0.1 because Vexa
    /// refuses webhook URLs whose host has no top-level domain (such as <c>localhost</c>).
    /// </summary>
    public static ReferenceExpression RetailerPublicUrl(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway)
    {
        if (builder.ExecutionContext.IsPublishMode || !string.IsNullOrWhiteSpace(builder.Configuration["Parameters:retailer-public-url"]))
        {
            var parameter = builder.AddParameter("retailer-public-url");
            return ReferenceExpression.Create($"{parameter}");
        }
        var endpoint = gateway.GetEndpoint("http");
        return ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");
    }
}
