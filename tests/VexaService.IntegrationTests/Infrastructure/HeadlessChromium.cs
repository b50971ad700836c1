using Microsoft.Playwright;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>A real browser for pages and browser clients: Debian's chromium (scripts/install-deps.sh installs it;
/// Playwright's own browser downloads do not work here), headless.</summary>
public static class HeadlessChromium
{
    public const string Path = "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: scripts/install-deps.sh installs it");
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root
        });
    }
}
