using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Faults;

/// <summary>
/// The gateway's kept reads (issue 34) while Redis is down: without a read generation every read goes to its service,
/// a write made meanwhile (its owner's generation cannot be renewed) is in every later read, and once Redis is back
/// reads are kept again.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class KeptReadsOutageTests(FaultStack stack)
{
    [Fact]
    public async Task With_redis_down_reads_go_to_the_services_and_nothing_kept_before_is_served_after()
    {
        var (userId, key) = await stack.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        await using (var db = stack.NewDbContext())
        {
            db.Meetings.Add(new Meeting { UserId = userId, Platform = "google_meet", NativeMeetingId = meetId, Status = MeetingStatus.Completed });
            await db.SaveChangesAsync();
        }
        await AssertKeptAsync(key, userId);

        await stack.Redis.StopAsync();
        try
        {
            Assert.Contains(await SneakAsync(userId), await MeetingsAsync(key)); // not kept: answered by Transcripts
            var patched = await stack.SendAsync(key, HttpMethod.Patch, $"/meetings/google_meet/{meetId}", new { data = new { name = "while-down" } });
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Contains("while-down", await MeetingsAsync(key));
        }
        finally
        {
            await stack.Redis.StartAsync();
        }

        // From Redis's return on: never the list kept before the write, and kept again once the services reconnect.
        for (var i = 0; i < 10; i++)
        {
            Assert.Contains("while-down", await MeetingsAsync(key));
            await Task.Delay(200);
        }
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            try
            {
                await AssertKeptAsync(key, userId);
                return true;
            }
            catch (Xunit.Sdk.XunitException)
            {
                return false;
            }
        }, timeoutMs: 15_000);
        Assert.Contains("while-down", await MeetingsAsync(key));
    }

    /// <summary>Read twice, then a change made behind the services' back is not seen: the list is kept.</summary>
    private async Task AssertKeptAsync(string key, long userId)
    {
        await MeetingsAsync(key);
        await MeetingsAsync(key);
        Assert.DoesNotContain(await SneakAsync(userId), await MeetingsAsync(key));
    }

    private async Task<string> MeetingsAsync(string key)
    {
        var response = await stack.SendAsync(key, HttpMethod.Get, "/meetings");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        return body;
    }

    private async Task<string> SneakAsync(long userId)
    {
        var mark = $"sneak-{Guid.NewGuid():N}";
        var patch = new JsonObject { ["sneak"] = mark }.ToJsonString();
        await using var db = stack.NewDbContext();
        await db.Database.ExecuteSqlAsync($"UPDATE meetings SET data = data || {patch}::jsonb WHERE user_id = {userId}");
        return mark;
    }
}
