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
    public void Private_loopback_and_link_local_addresses_are_refused(string address) =>
        Assert.True(WebhookTargetGuard.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:2800:220:1::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(WebhookTargetGuard.IsPrivate(IPAddress.Parse(address)));
}
