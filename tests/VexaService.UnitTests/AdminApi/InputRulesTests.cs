using VexaService.AdminApi.Services;

namespace VexaService.UnitTests.AdminApi;

public class InputRulesTests
{
    [Theory]
    [InlineData("Ann@Example.COM", "Ann@example.com")]
    [InlineData(" bob@mail.example.org ", "bob@mail.example.org")]
    public void Emails_are_normalised_like_pydantic(string input, string expected) => Assert.Equal(expected, EmailAddress.Normalize(input));

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("a b@example.com")]
    [InlineData("@example.com")]
    public void Invalid_emails_are_refused(string input) => Assert.Null(EmailAddress.Normalize(input));

    [Theory]
    [InlineData("https://hooks.example.com/x")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://[::1]:8080/hook")]
    public void Webhook_urls_vexa_accepts(string url) => Assert.Null(WebhookUrl.Problem(url));

    [Theory]
    [InlineData("http://localhost:8000/x", "top level domain")]
    [InlineData("http://receiver:8080/x", "top level domain")]
    [InlineData("ftp://files.example.com/x", "scheme")]
    [InlineData("javascript:alert(1)", "scheme")]
    public void Webhook_urls_vexa_refuses(string url, string reason) => Assert.Contains(reason, WebhookUrl.Problem(url));
}
