using System.Net;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The reads current Vexa's clients make (issue 33, vexa-0.12.md §2.4, §2.6), served by Transcripts for the caller's
/// own meetings only: <c>GET /transcripts/by-id/{id}</c> and the paged <c>GET /bots</c>.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class TodaysVexaReadsTests(RetailerFixture fixture)
{
    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();

    private async Task<JsonObject> JsonAsync(long userId, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await fixture.AsUserAsync(_transcripts, userId, HttpMethod.Get, path);
        Assert.Equal(expected, response.StatusCode);
        return (JsonObject)await response.JsonAsync();
    }

    [Fact]
    public async Task By_id_reads_exactly_the_callers_meeting_and_anybody_elses_is_not_found()
    {
        var owner = await fixture.NewUserAsync();
        var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(owner, MeetingStatus.Completed);
        await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "completed", segments: 3,
            startTime: DateTime.UtcNow.AddMinutes(-10).ToString("o"), endTime: DateTime.UtcNow.AddMinutes(-1).ToString("o"));

        var byId = await fixture.AsUserAsync(_transcripts, owner, HttpMethod.Get, $"/transcripts/by-id/{meetingId}");
        var byNativeId = await fixture.AsUserAsync(_transcripts, owner, HttpMethod.Get, $"/transcripts/google_meet/{meetId}");
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal(await byNativeId.Content.ReadAsByteArrayAsync(), await byId.Content.ReadAsByteArrayAsync());

        var other = await fixture.NewUserAsync();
        var theirs = await JsonAsync(other, $"/transcripts/by-id/{meetingId}", HttpStatusCode.NotFound);
        var missing = await JsonAsync(other, $"/transcripts/by-id/{meetingId + 1_000_000_000}", HttpStatusCode.NotFound);
        Assert.Equal($"Meeting {meetingId} not found", theirs["detail"]!.GetValue<string>()); // exactly like a missing one
        Assert.Equal($"Meeting {meetingId + 1_000_000_000} not found", missing["detail"]!.GetValue<string>());
        await JsonAsync(owner, "/transcripts/by-id/twelve", HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Get_bots_pages_the_callers_meetings_newest_first_with_has_more()
    {
        var user = await fixture.NewUserAsync();
        var ids = new List<long>();
        foreach (var status in new[] { MeetingStatus.Completed, MeetingStatus.Failed, MeetingStatus.Completed })
        {
            ids.Add((await fixture.SeedMeetingAsync(user, status)).MeetingId);
        }
        await fixture.SeedMeetingAsync(await fixture.NewUserAsync(), MeetingStatus.Completed); // somebody else's

        var first = await JsonAsync(user, "/bots?limit=2");
        Assert.Equal([ids[2], ids[1]], first["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()));
        Assert.True(first["has_more"]!.GetValue<bool>());
        var rest = await JsonAsync(user, "/bots?limit=2&offset=2");
        Assert.Equal([ids[0]], rest["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()));
        Assert.False(rest["has_more"]!.GetValue<bool>());
        var all = await JsonAsync(user, "/bots");
        Assert.Equal(3, all["meetings"]!.AsArray().Count);
        Assert.False(all["has_more"]!.GetValue<bool>());
        var failed = await JsonAsync(user, "/bots?status=failed");
        Assert.Equal([ids[1]], failed["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()));

        foreach (var bad in new[] { "/bots?limit=0", "/bots?limit=101", "/bots?offset=-1", "/bots?platform=skype" })
        {
            await JsonAsync(user, bad, HttpStatusCode.UnprocessableEntity);
        }
    }
}
