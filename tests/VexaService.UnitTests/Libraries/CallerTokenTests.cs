using Microsoft.Extensions.Options;
using VexaService.Http;

namespace VexaService.UnitTests.Libraries;

public class CallerTokenTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch.AddYears(56);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static CallerToken Signer(Clock clock, string key = "signing-key-0123456789-0123456789-abcdef") =>
        new(Options.Create(new IdentityOptions { SigningKey = key, Lifetime = TimeSpan.FromSeconds(60) }), clock);

    [Fact]
    public void The_signature_is_base64url_hmac_sha256_of_version_user_and_expiry()
    {
        // Computed outside .NET: HMAC-SHA256("signing-key-...", "v1.42.1767225660000"), base64url without padding.
        Assert.Equal("v1.42.1767225660000.s-Syf43u7hCRsC1OJorIsWlBuZgl0nH_yX3MZJB7dgY", Signer(new Clock()).Sign(42));
    }

    [Fact]
    public void A_signed_identity_verifies_to_its_user_within_its_lifetime()
    {
        var clock = new Clock();
        var token = Signer(clock).Sign(42);
        clock.Now += TimeSpan.FromSeconds(59);
        Assert.True(Signer(clock).TryVerify(token, out var user));
        Assert.Equal(42, user);
    }

    [Fact]
    public void An_expired_identity_is_refused()
    {
        var clock = new Clock();
        var token = Signer(clock).Sign(42);
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.False(Signer(clock).TryVerify(token, out _));
    }

    [Fact]
    public void Changing_any_part_or_the_key_breaks_the_signature()
    {
        var clock = new Clock();
        var token = Signer(clock).Sign(42);
        var parts = token.Split('.');
        Assert.False(Signer(clock).TryVerify($"{parts[0]}.43.{parts[2]}.{parts[3]}", out _)); // another user
        Assert.False(Signer(clock).TryVerify($"{parts[0]}.{parts[1]}.{long.Parse(parts[2]) + 1000}.{parts[3]}", out _)); // longer life
        Assert.False(Signer(clock, "another-key-0123456789-0123456789-abcdef").TryVerify(token, out _));
        Assert.False(Signer(clock).TryVerify("", out _));
        Assert.False(Signer(clock).TryVerify("v1.42", out _));
    }
}
