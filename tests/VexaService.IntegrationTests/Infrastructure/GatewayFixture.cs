using VexaService.AdminApi;
using VexaService.Gateway;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>AdminApi (to manage users) and a gateway whose downstream services are an <see cref="EchoBackend"/>.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public ServiceFactory<AdminApiMarker> AdminApi { get; private set; } = null!;
    public ServiceFactory<GatewayMarker> Gateway { get; private set; } = null!;
    public EchoBackend Backend { get; private set; } = null!;
    public AdminClient Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        Backend = await EchoBackend.StartAsync();
        AdminApi = new ServiceFactory<AdminApiMarker>();
        Admin = new AdminClient(AdminApi.CreateClient());
        Gateway = NewGateway();
    }

    /// <summary>Another gateway replica on the same PostgreSQL and Redis, with optional extra settings.</summary>
    public ServiceFactory<GatewayMarker> NewGateway(Dictionary<string, string?>? extra = null)
    {
        var settings = Backend.GatewaySettings();
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return new ServiceFactory<GatewayMarker>(settings);
    }

    public async Task<string> NewUserKeyAsync()
    {
        var userId = await Admin.CreateUserAsync();
        return (await Admin.CreateTokenAsync(userId)).Token;
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await AdminApi.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
