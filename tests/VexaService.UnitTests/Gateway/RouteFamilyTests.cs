using System.Text.Json.Nodes;
using VexaService.Gateway.Auth;

namespace VexaService.UnitTests.Gateway;

/// <summary>Every gateway route either names a known authentication family or is authenticated downstream.</summary>
public sealed class RouteFamilyTests
{
    private static JsonObject Routes()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "services", "Gateway", "appsettings.json");
            if (File.Exists(path))
            {
                return JsonNode.Parse(File.ReadAllText(path))!["ReverseProxy"]!["Routes"]!.AsObject();
            }
        }
        throw new InvalidOperationException("services/Gateway/appsettings.json not found");
    }

    [Theory]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.Admin, "/admin/{**rest}")]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.Transcripts, "/transcripts/{**rest}")]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.Meetings, "/meetings/{**rest}")]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.BotsList, "/bots")]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.Bots, "/bots/{**rest}")]
    [InlineData(VexaService.Gateway.Proxy.GatewayRoutes.User, "/user/{**rest}")]
    public void Every_route_id_the_code_depends_on_names_the_route_it_expects(string routeId, string path)
    {
        var route = Routes()[routeId];
        Assert.True(route is not null, $"no route '{routeId}' in the gateway's appsettings.json: the check that depends on it would be off");
        Assert.Equal(path, route["Match"]!["Path"]!.GetValue<string>());
    }

    [Fact]
    public void Every_route_names_a_known_family_and_only_admin_and_the_callback_have_none()
    {
        var families = Routes().ToDictionary(r => r.Key, r => RouteFamily.FromMetadata(r.Value!["Metadata"]?["Auth"]?.GetValue<string>()));
        Assert.Equal(["admin", "wholesaler-webhook"], families.Where(f => f.Value is null).Select(f => f.Key).Order());
        Assert.Equal(RouteFamily.Webhook, families["user-webhook"]);
        Assert.Equal(RouteFamily.Webhook, families["user-webhook-test"]);
        Assert.Equal(RouteFamily.Webhook, families["user-webhook-deliveries"]);
        Assert.Equal(RouteFamily.User, families["user"]);
    }

    [Fact]
    public void A_misspelt_family_fails_closed() =>
        Assert.Throws<InvalidOperationException>(() => RouteFamily.FromMetadata("User"));
}
