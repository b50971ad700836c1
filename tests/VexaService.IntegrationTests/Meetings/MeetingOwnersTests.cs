using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VexaService.Gateway.Live;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// Whose a live frame is (<see cref="MeetingOwners"/>) on the real database: the newest meeting on a native id, a live
/// one first; a kept answer used until it is due, then looked up again in the background, every due one in one query.
/// </summary>
public sealed class MeetingOwnersTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ServiceProvider _services = null!;
    private MeetingOwners _owners = null!;

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _services = new ServiceCollection()
            .AddScoped(_ => TestEnvironment.NewDbContext())
            .BuildServiceProvider();
        _owners = new MeetingOwners(_services.GetRequiredService<IServiceScopeFactory>(), _clock);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private static Task<long> UserAsync() => TestEnvironment.NewUserAsync("owners");

    private async Task<long> MeetingAsync(long userId, string nativeId, string status, TimeSpan age)
    {
        await using var db = TestEnvironment.NewDbContext();
        var at = _clock.GetUtcNow().UtcDateTime - age;
        var meeting = new Meeting
        {
            UserId = userId, Platform = "google_meet", NativeMeetingId = nativeId, Status = status, CreatedAt = at, UpdatedAt = at,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return meeting.Id;
    }

    [Fact]
    public async Task The_live_meeting_owns_the_frames_an_ended_one_only_for_its_afterglow()
    {
        var ct = TestContext.Current.CancellationToken;
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var (shared, ended) = (RetailerFixture.NewMeetId(), RetailerFixture.NewMeetId());
        await MeetingAsync(alice, shared, MeetingStatus.Completed, TimeSpan.FromSeconds(10));
        var bobs = await MeetingAsync(bob, shared, MeetingStatus.Active, TimeSpan.FromMinutes(1)); // older, but live
        await MeetingAsync(alice, ended, MeetingStatus.Completed, MeetingOwners.Afterglow + TimeSpan.FromSeconds(5));

        var owner = await _owners.OwnerAsync("google_meet", shared, fresh: true, ct);
        Assert.Equal((bob, bobs), (owner!.Value.UserId, owner.Value.MeetingId));
        // Alice's meeting there ended 10 s ago: her late frames may still come, and must not pass for Bob's.
        Assert.True(owner.Value.AfterHandover);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(1), owner.Value.Since, TimeSpan.FromMilliseconds(1));
        var alone = RetailerFixture.NewMeetId();
        var carols = await MeetingAsync(alice, alone, MeetingStatus.Active, TimeSpan.FromSeconds(1));
        var single = (await _owners.OwnerAsync("google_meet", alone, fresh: true, ct))!.Value;
        Assert.Equal((alice, carols, false), (single.UserId, single.MeetingId, single.AfterHandover));
        Assert.Null(await _owners.OwnerAsync("google_meet", ended, fresh: true, ct));
        Assert.Null(await _owners.OwnerAsync("google_meet", RetailerFixture.NewMeetId(), fresh: true, ct));
        Assert.True(_owners.Knows("google_meet", ended)); // "nobody" is an answer too
    }

    [Fact]
    public async Task Kept_answers_are_used_until_due_then_every_due_one_is_looked_up_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var (alice, bob) = (await UserAsync(), await UserAsync());
        var nativeIds = Enumerable.Range(0, 20).Select(_ => RetailerFixture.NewMeetId()).ToList();
        var alices = new List<long>();
        foreach (var nativeId in nativeIds)
        {
            alices.Add(await MeetingAsync(alice, nativeId, MeetingStatus.Active, TimeSpan.Zero));
            Assert.Equal(alice, (await _owners.OwnerAsync("google_meet", nativeId, fresh: true, ct))!.Value.UserId);
        }
        // Every native id passes to Bob without a status frame saying so (the safety net's case).
        await using (var db = TestEnvironment.NewDbContext())
        {
            await db.Meetings.Where(m => alices.Contains(m.Id)).ExecuteUpdateAsync(
                u => u.SetProperty(m => m.Status, MeetingStatus.Completed)
                    .SetProperty(m => m.UpdatedAt, _clock.GetUtcNow().UtcDateTime - MeetingOwners.Afterglow - TimeSpan.FromSeconds(1)), ct);
        }
        foreach (var nativeId in nativeIds)
        {
            await MeetingAsync(bob, nativeId, MeetingStatus.Active, TimeSpan.Zero);
        }

        // Not due yet: the kept answer, and nothing looked up.
        _clock.Advance(MeetingOwners.Kept - TimeSpan.FromSeconds(1));
        foreach (var nativeId in nativeIds)
        {
            Assert.Equal(alice, (await _owners.OwnerAsync("google_meet", nativeId, fresh: false, ct))!.Value.UserId);
        }
        // Due: the frame still gets the kept answer (it never waits for the query), and the next ones Bob.
        _clock.Advance(TimeSpan.FromSeconds(2));
        foreach (var nativeId in nativeIds)
        {
            Assert.Equal(alice, (await _owners.OwnerAsync("google_meet", nativeId, fresh: false, ct))!.Value.UserId);
        }
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            foreach (var nativeId in nativeIds)
            {
                if ((await _owners.OwnerAsync("google_meet", nativeId, fresh: false, ct))?.UserId != bob)
                {
                    return false;
                }
            }
            return true;
        }, timeoutMs: 5_000);
    }
}
