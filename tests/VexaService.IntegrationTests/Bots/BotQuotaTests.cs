using System.Net;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Bots;

[Collection(BotsCollection.Name)]
public sealed class BotQuotaTests(BotsStack fixture)
{
    [Theory]
    [InlineData(RetailerFixture.Dfc7c83e)]
    [InlineData(RetailerFixture.September2025)] // the slots are held by bots still on their way in
    public async Task Concurrent_starts_on_two_replicas_start_exactly_the_limit(string vexa)
    {
        await fixture.PlayAsync(vexa);
        try
        {
            await StartExactlyTheLimitAsync();
        }
        finally
        {
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    private async Task StartExactlyTheLimitAsync()
    {
        const int limit = 3;
        const int attempts = 10;
        var userId = await fixture.NewUserAsync(maxBots: limit);
        var replicas = new[] { fixture.BotManager.CreateClient(), fixture.BotManagerReplica.CreateClient() };

        var responses = await Task.WhenAll(Enumerable.Range(0, attempts).Select(i =>
            fixture.AsUserAsync(replicas[i % 2], userId, HttpMethod.Post, "/bots",
                new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() })));

        Assert.Equal(limit, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.Forbidden).ToList();
        Assert.Equal(attempts - limit, refused.Count);
        Assert.Equal($"User has reached the maximum concurrent bot limit ({limit}).", await refused[0].DetailAsync());

        // A refused request leaves no row behind.
        await using var db = fixture.NewDbContext();
        Assert.Equal(limit, await db.Meetings.CountAsync(m => m.UserId == userId, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(RetailerFixture.Dfc7c83e)]
    [InlineData(RetailerFixture.September2025)]
    public async Task A_finished_meeting_frees_its_slot(string vexa)
    {
        await fixture.PlayAsync(vexa);
        try
        {
            await FreeTheSlotAsync();
        }
        finally
        {
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    private async Task FreeTheSlotAsync()
    {
        var userId = await fixture.NewUserAsync(maxBots: 1);
        var bots = fixture.BotManager.CreateClient();
        var first = RetailerFixture.NewMeetId();
        Assert.Equal(HttpStatusCode.Created,
            (await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = first })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() })).StatusCode);

        await fixture.AsUserAsync(bots, userId, HttpMethod.Delete, $"/bots/google_meet/{first}");
        // The completion webhook (emulator → Transcripts) marks our meeting completed.
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = fixture.NewDbContext();
            return await db.Meetings.AnyAsync(m => m.UserId == userId && m.Status == MeetingStatus.Completed);
        });

        Assert.Equal(HttpStatusCode.Created,
            (await fixture.AsUserAsync(bots, userId, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = RetailerFixture.NewMeetId() })).StatusCode);
    }
}
