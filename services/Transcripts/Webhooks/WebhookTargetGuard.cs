using System.Net;
using System.Net.Sockets;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Webhook URLs are chosen by end users, so a delivery must not become a way into our own network or anyone's
/// special-purpose addresses (SSRF). The check runs when the connection is made, on the addresses DNS actually
/// returned, so a name that resolves (or re-resolves) to such an address is refused too, and deliveries never go
/// through a proxy (which would resolve the name itself, past this check). Run mode and tests allow private targets
/// (their receivers are on loopback).
/// </summary>
public static class WebhookTargetGuard
{
    public const string Refusal = "refused: the webhook URL resolves only to private, loopback, link-local or special-purpose addresses";

    /// <summary>
    /// IANA's IPv4 and IPv6 special-purpose address registries (everything not globally reachable, plus documentation,
    /// benchmarking, multicast and translation prefixes that can reach internal IPv4 hosts), and Azure's platform
    /// address 168.63.129.16 (wire server, DNS, health probes).
    /// </summary>
    private static readonly (IPAddress Network, int PrefixLength)[] Refused =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
            "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "168.63.129.16/32",
            "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
            "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(Parse),
    ];

    /// <summary>
    /// No proxy, no redirects (a 3xx is the receiver's answer: following it would let a URL that passed this check send
    /// us elsewhere), and at most <paramref name="maxConnectionsPerHost"/> connections to one host.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivateTargets, int maxConnectionsPerHost = 8) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = maxConnectionsPerHost,
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = allowPrivateTargets ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException(Refusal);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return Refused.Any(range => InRange(address, range.Network, range.PrefixLength));
    }

    private static (IPAddress, int) Parse(string cidr)
    {
        var slash = cidr.IndexOf('/');
        return (IPAddress.Parse(cidr[..slash]), int.Parse(cidr[(slash + 1)..]));
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var whole = prefixLength / 8;
        for (var i = 0; i < whole; i++)
        {
            if (a[i] != n[i])
            {
                return false;
            }
        }
        var rest = prefixLength % 8;
        return rest == 0 || (a[whole] & (0xFF << (8 - rest)) & 0xFF) == (n[whole] & (0xFF << (8 - rest)) & 0xFF);
    }
}
