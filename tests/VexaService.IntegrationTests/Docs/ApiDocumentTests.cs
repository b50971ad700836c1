using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace VexaService.IntegrationTests.Docs;

/// <summary>
/// The OpenAPI documents the gateway serves: valid (read by Microsoft.OpenApi), complete (every route a service serves
/// through the gateway, with its responses and errors; a route added without documentation fails here), and the same
/// as the committed copies in <c>docs/</c>.
/// </summary>
[Collection(DocsCollection.Name)]
public sealed class ApiDocumentTests(DocsStack stack)
{
    private static readonly string[] BodyMethods = ["post", "put", "patch"];

    /// <summary>Operations that take no body although their method could carry one.</summary>
    private static readonly string[] Bodiless = ["TestWebhook"];

    /// <summary>Paths users never call: described nowhere, and only these may be left out.</summary>
    private static bool IsInternal(string path) =>
        path.StartsWith("/internal/", StringComparison.Ordinal) || path.StartsWith("/openapi/", StringComparison.Ordinal)
        || path is "/health" or "/alive";

    private async Task<(JsonNode User, JsonNode Admin)> DocumentsAsync() =>
        (JsonNode.Parse(await stack.Gateway.GetStringAsync("/openapi.json"))!, JsonNode.Parse(await stack.Gateway.GetStringAsync("/openapi/admin.json"))!);

    [Theory]
    [InlineData("/openapi.json", "ApiKey", "X-API-Key")]
    [InlineData("/openapi/admin.json", "AdminKey", "X-Admin-API-Key")]
    public async Task Each_document_is_valid_openapi_and_names_the_key_its_api_takes(string path, string scheme, string header)
    {
        var response = await stack.Gateway.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        var read = OpenApiDocument.Parse(await response.Content.ReadAsStringAsync(), "json");
        Assert.Empty(read.Diagnostic!.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        var document = read.Document!;
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.Select(e => $"{e.Pointer}: {e.Message}") ?? []);
        var (name, security) = Assert.Single(document.Components!.SecuritySchemes!);
        Assert.Equal(scheme, name);
        Assert.Equal(header, security.Name);
        Assert.Equal(ParameterLocation.Header, security.In);
        Assert.Equal(scheme, Assert.Single(Assert.Single(document.Security!)).Key.Reference.Id);
        Assert.Empty(document.Servers ?? []); // the reader's own address
    }

    [Fact]
    public async Task Every_route_a_service_serves_through_the_gateway_is_documented_with_its_body_responses_and_errors()
    {
        var (user, admin) = await DocumentsAsync();
        var endpoints = stack.Endpoints.Where(e => e.Key != "gateway").SelectMany(e => e.Value).OfType<RouteEndpoint>().ToList();
        var excluded = endpoints.Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
            .Select(e => e.RoutePattern.RawText!).Where(p => !IsInternal(p)).ToList();
        Assert.True(excluded.Count == 0, $"excluded from the documents: {string.Join(", ", excluded)}");

        var routes = endpoints
            .Where(e => !IsInternal(e.RoutePattern.RawText!))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => (Path: Path(e.RoutePattern.RawText!), Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} routes found");
        foreach (var (path, method) in routes)
        {
            var (document, which) = path.StartsWith("/admin/", StringComparison.Ordinal) ? (admin, "admin") : (user, "user");
            var where = $"{method.ToUpperInvariant()} {path} ({which} document)";
            var operation = document["paths"]?[path]?[method];
            Assert.True(operation is not null, $"{where} is not documented");
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{where} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()), $"{where} has no operationId");
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            Assert.True(success.Count > 0, $"{where} documents no success");
            Assert.All(success.Where(r => r.Key != "204"), r => Assert.True(r.Value?["content"]?["application/json"]?["schema"] is not null,
                $"{where} {r.Key} has no JSON schema"));
            var errors = responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')).ToList();
            Assert.True(errors.Count > 0, $"{where} documents no error");
            Assert.All(errors, r => Assert.True(r.Value?["content"]?["application/json"]?["schema"]?["$ref"] is not null,
                $"{where} {r.Key} has no error body"));
            if (BodyMethods.Contains(method) && !Bodiless.Contains(operation["operationId"]!.GetValue<string>()))
            {
                Assert.True(operation["requestBody"]?["content"]?["application/json"]?["schema"] is not null, $"{where} documents no JSON body");
            }
        }

        // Nothing documented that is not served, but the gateway's own /ws.
        var served = routes.Select(r => r.Path).ToHashSet();
        var unserved = user["paths"]!.AsObject().Concat(admin["paths"]!.AsObject()).Select(p => p.Key)
            .Where(p => p != "/ws" && !served.Contains(p)).ToList();
        Assert.True(unserved.Count == 0, $"documented, not served: {string.Join(", ", unserved)}");
        Assert.NotNull(user["paths"]!["/ws"]!["get"]!["description"]);
        Assert.DoesNotContain(user["paths"]!.AsObject(), p => p.Key.StartsWith("/admin", StringComparison.Ordinal));
        Assert.All(admin["paths"]!.AsObject(), p => Assert.StartsWith("/admin/", p.Key));
        Assert.Equal(["meeting.completed", "meeting.status_change", "webhook.test"], user["webhooks"]!.AsObject().Select(w => w.Key));
    }

    /// <summary>A group's "/" route is documented as users call it: /bots, not /bots/.</summary>
    private static string Path(string pattern) => pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;

    [Fact]
    public async Task The_committed_copies_in_docs_are_what_the_gateway_serves()
    {
        var stale = new List<string>();
        foreach (var (path, file) in new[] { ("/openapi.json", "openapi.json"), ("/openapi/admin.json", "openapi-admin.json") })
        {
            var served = await stack.Gateway.GetStringAsync(path) + "\n";
            var copy = System.IO.Path.Combine(RepositoryRoot(), "docs", file);
            if (!File.Exists(copy) || await File.ReadAllTextAsync(copy) != served)
            {
                await File.WriteAllTextAsync(copy, served); // so that `git diff` shows the change to review and commit
                stale.Add("docs/" + file);
            }
        }
        Assert.True(stale.Count == 0, $"{string.Join(" and ", stale)} differed from what the gateway serves and were rewritten: review and commit them");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "VexaService.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("VexaService.sln not found above " + AppContext.BaseDirectory);
    }
}
