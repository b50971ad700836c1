using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VexaService.UnitTests.Deployment;

/// <summary>
/// The deployment rules, read from the committed <c>aspire-manifest.json</c> (which scripts/test.sh regenerates and
/// compares first): what azd would create on Azure Container Apps.
/// </summary>
public sealed partial class ManifestRulesTests
{
    private static readonly string Root = FindRoot();
    private static readonly JsonObject Resources = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "aspire-manifest.json")))!["resources"]!.AsObject();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "aspire-manifest.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("aspire-manifest.json not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<(string Name, JsonObject Resource)> OfType(string prefix) =>
        Resources.Where(r => r.Value!["type"]!.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => (r.Key, r.Value!.AsObject()));

    [Fact]
    public void Only_the_gateway_is_reachable_from_outside()
    {
        var external = Resources.Where(r => r.Value!["bindings"] is JsonObject bindings
                && bindings.Any(b => b.Value!["external"]?.GetValue<bool>() == true))
            .Select(r => r.Key);
        Assert.Equal(["gateway"], external);
    }

    [Fact]
    public void No_service_trusts_every_sender_of_x_forwarded_for()
    {
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED clears the trusted proxies and trusts every sender: a client would choose
        // the address the gateway's limits before authentication key on. Only RateLimit:KnownProxies names proxies.
        var projects = OfType("project").ToList();
        Assert.Equal(4, projects.Count);
        Assert.All(projects, p => Assert.DoesNotContain(p.Resource["env"]!.AsObject(), e => e.Key == "ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
    }

    [Fact]
    public void No_container_keeps_data_on_a_volume_and_postgresql_is_a_managed_server_given_as_a_secret()
    {
        Assert.All(OfType("container"), c => Assert.Null(c.Resource["volumes"]));
        Assert.DoesNotContain(Resources, r => r.Key == "postgres");
        var database = Resources["vexadb"]!;
        Assert.Equal("parameter.v0", database["type"]!.GetValue<string>());
        Assert.True(database["inputs"]!["value"]!["secret"]!.GetValue<bool>());
        var redis = Resources["cache"]!["args"]!.AsArray().Select(a => a!.GetValue<string>());
        Assert.Contains(redis, a => a.Contains("--maxmemory 256mb --maxmemory-policy allkeys-lru", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_secret_a_service_receives_is_a_secret_parameter_never_a_literal()
    {
        var secrets = OfType("parameter").Where(p => p.Resource["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true)
            .Select(p => p.Name).ToHashSet();
        var checkedCount = 0;
        foreach (var (name, project) in OfType("project"))
        {
            foreach (var (variable, value) in project["env"]!.AsObject())
            {
                if (!SecretName().IsMatch(variable))
                {
                    continue;
                }
                checkedCount++;
                var text = value!.GetValue<string>();
                var references = Placeholder().Matches(text).Select(m => m.Groups[1].Value).ToList();
                Assert.True(references.Count > 0, $"{name}: {variable} is a literal");
                Assert.True(references.All(r => secrets.Contains(r) || Resources[r]?["type"]?.GetValue<string>() is "container.v0" or "annotated.string" or "value.v0"),
                    $"{name}: {variable} = {text} uses something that is not a secret parameter");
            }
        }
        Assert.True(checkedCount >= 8, $"only {checkedCount} secret settings found");
    }

    [Fact]
    public void Every_service_has_its_health_endpoints_and_nothing_is_a_process_that_exits()
    {
        var projects = OfType("project").ToList();
        Assert.Equal(["admin-api", "bot-manager", "gateway", "transcripts"], projects.Select(p => p.Name).Order());
        foreach (var (name, project) in projects)
        {
            // /health and /alive come with the service defaults (MapDefaultEndpoints).
            var csproj = File.ReadAllText(Path.Combine(Root, project["path"]!.GetValue<string>()));
            Assert.Contains("VexaService.ServiceDefaults.csproj", csproj);
            Assert.NotNull(project["bindings"]?["http"]);
            Assert.Equal("true", project["env"]?["Database__MigrateOnStart"]?.GetValue<string>());
        }
    }

    [Fact]
    public void The_public_url_defaults_to_the_gateways_own_https_address()
    {
        Assert.Equal("{gateway.bindings.https.url}", Resources["transcripts"]!["env"]!["Webhooks__PublicBaseUrl"]!.GetValue<string>());
    }

    [GeneratedRegex("(?i)(key|secret|password|connectionstrings__)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"\{([a-z0-9-]+)\.[a-zA-Z.]+\}")]
    private static partial Regex Placeholder();
}
