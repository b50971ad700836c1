using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace VexaService.Gateway.Auth;

/// <summary>
/// Which sender may name the client in <c>X-Forwarded-For</c>: only the proxies in <c>RateLimit:KnownProxies</c>
/// (IPs or CIDR networks). The per-client limits before authentication key on the address this leaves.
/// </summary>
public static class ForwardedClient
{
    public static void Apply(ForwardedHeadersOptions forwarded, IReadOnlyCollection<string> knownProxies)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        forwarded.ForwardLimit = 1; // one proxy hop: the address our own ingress saw
        // No proxy configured: forward nothing. (Empty lists would mean "trust every sender" to the middleware.)
        forwarded.ForwardedHeaders = knownProxies.Count == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor;
        foreach (var proxy in knownProxies)
        {
            if (proxy.Contains('/'))
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
            else
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        }
    }
}
