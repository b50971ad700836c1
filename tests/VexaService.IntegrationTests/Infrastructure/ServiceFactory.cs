using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>One of our services in-process, configured as the AppHost would configure it, against the test servers.</summary>
public class ServiceFactory<TMarker>(IReadOnlyDictionary<string, string?>? overrides = null) : WebApplicationFactory<TMarker>
    where TMarker : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = TestEnvironment.Postgres,
            ["ConnectionStrings:cache"] = TestEnvironment.Redis,
            ["Identity:SigningKey"] = TestEnvironment.SigningKey,
            ["Admin:ApiKey"] = TestEnvironment.AdminKey,
            ["Wholesaler:ApiKey"] = TestEnvironment.WholesalerKey,
            ["Webhooks:CallbackSecret"] = TestEnvironment.CallbackSecret,
            ["Webhooks:AllowPrivateTargets"] = "true", // the tests' receivers listen on loopback
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseEnvironment("Development");
    }
}
