using Microsoft.Playwright;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Docs;

/// <summary>The interactive page at /docs, loaded in a real headless browser (Debian's chromium, which the test script installs).</summary>
[Collection(DocsCollection.Name)]
public sealed class DocsPageTests(DocsStack stack)
{
    [Fact]
    public async Task The_docs_page_renders_and_lists_the_bot_meeting_and_transcript_operations()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        var response = await page.GotoAsync(stack.GatewayUrl + "/docs");
        Assert.Equal(200, response!.Status);
        // The first group is open; each other one is opened from the sidebar, as a reader would.
        await SeesAsync(page, "Send a bot to a meeting", "The caller's running bots", "Stop the caller's bot in this meeting");
        await page.GetByText("Meetings", new() { Exact = true }).First.ClickAsync();
        await SeesAsync(page, "The caller's meetings, newest first", "One of the caller's meetings by its id");
        await page.GetByText("Transcripts", new() { Exact = true }).First.ClickAsync();
        await SeesAsync(page, "The caller's newest meeting on this native id");
        Assert.Contains("Vexa API", await page.TitleAsync());
        Assert.Empty(scriptErrors);
    }

    private static async Task SeesAsync(IPage page, params string[] texts)
    {
        foreach (var text in texts)
        {
            await Assertions.Expect(page.GetByText(text).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }
    }
}
