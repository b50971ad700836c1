using System.Net;
using System.Net.Sockets;

namespace VexaService.Transcripts.Webhooks;

/// <summary>
/// Webhook URLs are chosen by end users, so a delivery must not become a way into our own network (SSRF). The check
/// runs when the connection is made, on the addresses DNS actually returned, so a name that resolves (or re-resolves)
/// to a private address is refused too. Run mode and tests allow private targets (their receivers are on loopback).
/// </summary>
public static class WebhookTargetGuard
{
    public const string Refusal = "refused: the webhook URL resolves only to private, loopback or link-local addresses";

    public static SocketsHttpHandler CreateHandler(bool allowPrivateTargets) => new()
    {
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
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (first & 0xFE) == 0xFC; // fc00::/7 unique local
        }
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || b[0] == 127
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)             // link-local, cloud metadata endpoints
            || (b[0] == 100 && b[1] is >= 64 and <= 127); // carrier-grade NAT
    }
}
