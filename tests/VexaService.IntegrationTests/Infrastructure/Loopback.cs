using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>Small real HTTP servers on 127.0.0.1 for tests (receivers, stand-in backends), and free ports.</summary>
public static class Loopback
{
    /// <summary>Starts a minimal app on a free loopback port; <paramref name="map"/> adds its endpoints.</summary>
    public static async Task<(WebApplication App, string Address)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    // Ports handed out in this run: each at most once.
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port free now, below the kernel's ephemeral range (32768-60999 here). A port the kernel picks for a listener
    /// comes from that range, and once released can be taken by any outgoing connection of the run (the tests make
    /// thousands) before the server binds it: "address already in use" (a flake of 7 Dec).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            lock (Given)
            {
                if (!Given.Add(port))
                {
                    continue;
                }
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: another
            }
        }
    }
}
