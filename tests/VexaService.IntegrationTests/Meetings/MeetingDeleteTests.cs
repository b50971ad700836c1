using System.Net;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The Wholesaler deletes by native id its newest meeting: deletions racing each other, or a start by another user,
/// must never make ours remove someone else's meeting there or here.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class MeetingDeleteTests(RetailerFixture fixture)
{
    private const int Rounds = 20;
    private const int Parallel = 10;

    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();
    private readonly HttpClient _bots = fixture.BotManager.CreateClient();

    private sealed record Round(string MeetId, long OwnerMeeting, long OtherMeeting, long OtherAtWholesaler);

    [Fact]
    public async Task Parallel_deletes_of_one_meeting_give_one_200_and_leave_the_other_users_meetings_alone()
    {
        var (owner, other) = (await fixture.NewUserAsync(maxBots: Rounds), await fixture.NewUserAsync(maxBots: 2 * Rounds));
        // Set up a few rounds at a time: forty starts at once kept the emulator from answering one within the fixture's
        // 2 s attempt on a loaded CI machine (a 504 that is not what this test is about).
        using var setUps = new SemaphoreSlim(4);
        var rounds = await Task.WhenAll(Enumerable.Range(0, Rounds).Select(async _ =>
        {
            await setUps.WaitAsync();
            try
            {
                return await SetUpAsync(owner, other);
            }
            finally
            {
                setUps.Release();
            }
        }));

        var outcomes = new List<HttpStatusCode>();
        foreach (var round in rounds)
        {
            var path = $"/meetings/google_meet/{round.MeetId}";
            var deletes = Enumerable.Range(0, Parallel).Select(_ => fixture.AsUserAsync(_transcripts, owner, HttpMethod.Delete, path)).ToList();
            // Meanwhile the other user starts a new bot on the same id: the newest Wholesaler meeting can change mid-delete.
            var start = fixture.AsUserAsync(_bots, other, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = round.MeetId });
            var codes = (await Task.WhenAll(deletes)).Select(r => r.StatusCode).ToList();
            var started = await start;
            outcomes.AddRange(codes);

            Assert.Equal(1, codes.Count(c => c == HttpStatusCode.OK));
            Assert.Equal(Parallel - 1, codes.Count(c => c == HttpStatusCode.NotFound));
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var newAtWholesaler = await fixture.WholesalerIdAsync((await started.JsonAsync())["id"]!.GetValue<long>());
            Assert.True(await fixture.WholesalerHasAsync(round.OtherAtWholesaler), $"round {round.MeetId}: the other user's finished meeting went");
            Assert.True(await fixture.WholesalerHasAsync(newAtWholesaler), $"round {round.MeetId}: the other user's new meeting went");
            await using var db = TestEnvironment.NewDbContext();
            Assert.Equal(2, await db.Meetings.CountAsync(m => m.UserId == other && m.NativeMeetingId == round.MeetId));
            Assert.False(await db.Meetings.AnyAsync(m => m.Id == round.OwnerMeeting));
        }
        foreach (var round in rounds)
        {
            await fixture.AsUserAsync(_bots, other, HttpMethod.Delete, $"/bots/google_meet/{round.MeetId}"); // frees the emulator's slots
        }
        Assert.Equal(Rounds, outcomes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(Rounds * (Parallel - 1), outcomes.Count(c => c == HttpStatusCode.NotFound));
    }

    /// <summary>On a fresh native id: the other user's finished meeting, then the owner's newer finished one.</summary>
    private async Task<Round> SetUpAsync(long owner, long other)
    {
        var meetId = RetailerFixture.NewMeetId();
        var otherMeeting = await fixture.StartBotAsync(other, meetId);
        await fixture.StopAndWaitCompletedAsync(other, meetId, otherMeeting);
        var ownerMeeting = await fixture.StartBotAsync(owner, meetId);
        await fixture.StopAndWaitCompletedAsync(owner, meetId, ownerMeeting);
        return new Round(meetId, ownerMeeting, otherMeeting, await fixture.WholesalerIdAsync(otherMeeting));
    }
}
