using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>One of our services in-process, configured as the AppHost would configure it, against the test servers.</summary>
public class ServiceFactory<TMarker>(IReadOnlyDictionary<string, string?>? overrides = null) : WebApplicationFactory<TMarker>
    where TMarker : class
{
    private int? _port;

    /// <summary>
    /// Kestrel on 127.0.0.1:<paramref name="port"/>. Not <c>UseKestrel(port)</c>: it sets the port by changing the server's
    /// addresses after the app has been built, which races the app's own start of Kestrel and now and then throws
    /// "Addresses cannot be modified after the server has started" (dotnet/aspnetcore#67714). A <c>urls</c> setting
    /// is read before the server starts.
    /// </summary>
    public void UseKestrelOn(int port)
    {
        _port = port;
        UseKestrel();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (_port is { } port)
        {
            builder.UseSetting("urls", $"http://127.0.0.1:{port}");
        }
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = TestEnvironment.Postgres,
            ["ConnectionStrings:cache"] = TestEnvironment.Redis,
            ["Identity:SigningKey"] = TestEnvironment.SigningKey,
            ["Admin:ApiKey"] = TestEnvironment.AdminKey,
            ["Wholesaler:ApiKey"] = TestEnvironment.WholesalerKey,
            // The emulator of most stacks plays 2025-09 or dfc7c83e, which share a strategy: no probes at start, so that
            // tests counting the emulator's requests count theirs. Tests of today's Vexa and of detection set their own.
            ["Wholesaler:Generation"] = "2025-09",
            ["Webhooks:CallbackSecret"] = TestEnvironment.CallbackSecret,
            // The live transcript feed subscribes every live meeting of its database and reads each once over REST:
            // in the shared database it would count in every other test's Wholesaler calls. Its tests turn it on.
            ["Live:Feed"] = "false",
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
