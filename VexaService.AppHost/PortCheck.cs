using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VexaService.AppHost;

/// <summary>
/// A server process the AppHost starts on a fixed host port (PostgreSQL and Redis in local mode): the port must be free
/// before the start, and the app cannot run without the server.
/// </summary>
internal sealed record LocalServerAnnotation(int Port) : IResourceAnnotation;

/// <summary>
/// Run mode: before anything starts, every fixed port of the run must be free. Why: when PostgreSQL's or Redis's port
/// is held (the previous run's server still stopping, a server left over from a killed run, another program), the
/// process exits at once, its health check never passes, and every service waits for it for ever. The AppHost then
/// prints nothing after the dashboard's lines, and stopping it reports "Hosting failed to start"
/// (TaskCanceledException in DcpExecutor.CreateRenderedResourcesAsync). A held service port is as silent: DCP logs
/// "Could not start the proxy" at debug level only. So the AppHost waits a while for a port a stopping run releases
/// (<c>LocalInfra:PortWaitSeconds</c>, default 60), saying so, and otherwise refuses to start, naming the holder.
/// </summary>
internal static class PortCheck
{
    public static IResourceBuilder<T> AsLocalServer<T>(this IResourceBuilder<T> resource, int port) where T : IResource =>
        resource.WithAnnotation(new LocalServerAnnotation(port));

    public static void CheckPortsBeforeStart(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }
        var wait = TimeSpan.FromSeconds(builder.Configuration.GetValue("LocalInfra:PortWaitSeconds", 60));
        // Ports DCP randomizes (the testing builder's default) are never fixed.
        var endpointsFixed = !builder.Configuration.GetValue("DcpPublisher:RandomizePorts", false);
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VexaService");
            await WaitUntilFreeAsync(FixedPorts(e.Model, endpointsFixed), wait, logger, ct);
        });
    }

    /// <summary>Every port the run binds on the host at a known number: local servers' and, unless DCP randomizes
    /// them, the services' endpoints (their launch profiles' ports, behind DCP's proxies or not).</summary>
    public static IReadOnlyList<(int Port, string Resource)> FixedPorts(DistributedApplicationModel model, bool endpointsFixed)
    {
        var ports = new List<(int, string)>();
        foreach (var resource in model.Resources)
        {
            ports.AddRange(resource.Annotations.OfType<LocalServerAnnotation>().Select(a => (a.Port, resource.Name)));
            if (endpointsFixed)
            {
                ports.AddRange(resource.Annotations.OfType<EndpointAnnotation>()
                    .Where(endpoint => endpoint.Port is not null)
                    .Select(endpoint => (endpoint.Port!.Value, resource.Name)));
            }
        }
        return ports.Distinct().OrderBy(p => p.Item1).ToList();
    }

    public static async Task WaitUntilFreeAsync(IReadOnlyList<(int Port, string Resource)> ports, TimeSpan wait,
        ILogger logger, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var lastReport = DateTime.MinValue;
        while (true)
        {
            var held = ports.Where(p => !IsFree(p.Port)).ToList();
            if (held.Count == 0)
            {
                if (lastReport != DateTime.MinValue)
                {
                    logger.LogInformation("The ports are free after {Seconds:F0} s: starting", (DateTime.UtcNow - started).TotalSeconds);
                }
                return;
            }
            var described = string.Join("; ", held.Select(p => $"port {p.Port} ({p.Resource}) is in use by {PortHolder.Describe(p.Port)}"));
            if (DateTime.UtcNow - started >= wait)
            {
                throw new DistributedApplicationException(
                    $"Cannot start: {described}. Stop that program, or give this run other ports " +
                    "(LocalInfra:PostgresPort, LocalInfra:RedisPort, the services' launch profiles).");
            }
            if (DateTime.UtcNow - lastReport >= TimeSpan.FromSeconds(5))
            {
                logger.LogWarning("Waiting up to {Wait:F0} s for ports a run that was just stopped may still hold ({Waited:F0} s so far): {Held}",
                    wait.TotalSeconds, (DateTime.UtcNow - started).TotalSeconds, described);
                lastReport = DateTime.UtcNow;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    /// <summary>Whether a server could listen on the port on loopback now (as PostgreSQL, Redis and DCP's proxies do).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
