using System.Net;
using VexaService.Transcripts.Webhooks;

namespace VexaService.UnitTests.Transcripts;

public class WebhookTargetGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("224.0.0.1")] // multicast
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")] // reserved
    [InlineData("255.255.255.255")]
    [InlineData("198.18.0.1")] // benchmarking
    [InlineData("198.19.255.255")]
    [InlineData("100.127.255.255")] // shared address space (carrier-grade NAT)
    [InlineData("168.63.129.16")] // Azure's platform address
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")] // documentation
    [InlineData("203.0.113.9")]
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    [InlineData("2001:0:4136:e378::1")] // Teredo
    [InlineData("2001:db8::1")]
    [InlineData("ff02::1")] // multicast
    [InlineData("::")]
    public void Private_loopback_and_link_local_addresses_are_refused(string address) =>
        Assert.True(WebhookTargetGuard.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:2800:220:1::1")]
    [InlineData("198.20.0.1")]
    [InlineData("168.63.129.17")]
    [InlineData("223.255.255.255")]
    [InlineData("2a00:1450:4001:81b::200e")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(WebhookTargetGuard.IsPrivate(IPAddress.Parse(address)));
}
