using System.Net;
using System.Text.Json.Nodes;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// <c>GET /meetings</c> filters (<c>status</c>, <c>platform</c>) and paging (<c>limit</c> with <c>offset</c> or <c>skip</c>),
/// newest first in a stable order, and <c>GET /meetings/{id}</c> by our id; both from our database, each user seeing only
/// their own meetings.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class MeetingQueryTests(RetailerFixture fixture)
{
    private static readonly (string Platform, string Status)[] Rows =
    [
        ("google_meet", "completed"), ("zoom", "active"), ("teams", "failed"), ("google_meet", "active"),
        ("google_meet", "joining"), ("zoom", "completed"), ("teams", "active"),
    ];

    /// <summary>A user with the <see cref="Rows"/> (oldest first, two sharing one created_at) and another user with a
    /// meeting; returns the user, their meetings newest first, and the other user's meeting id.</summary>
    private async Task<(long User, List<(long Id, string Platform, string Status)> NewestFirst, long OtherUsersMeeting)> SeedAsync()
    {
        var (user, other) = (await fixture.NewUserAsync(), await fixture.NewUserAsync());
        await using var db = TestEnvironment.NewDbContext();
        var at = DateTime.UtcNow.AddHours(-1);
        var tag = Guid.NewGuid().ToString("N")[..8]; // live meetings hold their native id across users
        var mine = Rows.Select((row, i) => new Meeting
        {
            UserId = user, Platform = row.Platform, NativeMeetingId = $"{tag}-{row.Platform}-{i}", Status = row.Status,
            CreatedAt = at.AddMinutes(i == 4 ? 3 : i), UpdatedAt = at, // rows 3 and 4 share a created_at: id breaks the tie
        }).ToList();
        var theirs = new Meeting { UserId = other, Platform = "zoom", NativeMeetingId = $"{tag}-theirs", Status = "active", CreatedAt = at, UpdatedAt = at };
        db.Meetings.AddRange(mine);
        db.Meetings.Add(theirs);
        await db.SaveChangesAsync();
        return (user, mine.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => (m.Id, m.Platform, m.Status)).ToList(),
            theirs.Id);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(long user, string path)
    {
        var response = await fixture.AsUserAsync(fixture.Transcripts.CreateClient(), user, HttpMethod.Get, path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<List<long>> IdsAsync(long user, string query)
    {
        var (status, body) = await GetAsync(user, "/meetings" + query);
        Assert.True(status == HttpStatusCode.OK, $"{query}: {(int)status} {body.ToJsonString()}");
        return body["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()).ToList();
    }

    [Fact]
    public async Task Filters_and_pages_select_the_users_own_meetings_newest_first()
    {
        var (user, meetings, _) = await SeedAsync();
        var all = meetings.Select(m => m.Id).ToList();
        List<long> Where(Func<(long Id, string Platform, string Status), bool> keep) => meetings.Where(keep).Select(m => m.Id).ToList();

        Assert.Equal(all, await IdsAsync(user, ""));
        Assert.Equal(Where(r => r.Status == "active"), await IdsAsync(user, "?status=active"));
        Assert.Equal(Where(r => r.Status is "active" or "joining"), await IdsAsync(user, "?status=active&status=joining"));
        Assert.Equal(Where(r => r.Status is "completed" or "failed"), await IdsAsync(user, "?status=completed,failed"));
        Assert.Equal(Where(r => r.Platform == "zoom"), await IdsAsync(user, "?platform=zoom"));
        Assert.Equal(Where(r => r.Platform == "google_meet" && r.Status == "active"), await IdsAsync(user, "?platform=google_meet&status=active"));
        Assert.Empty(await IdsAsync(user, "?status=some_new_status")); // an unknown status is a filter like any other

        Assert.Equal(all.Take(3), await IdsAsync(user, "?limit=3"));
        Assert.Equal(all.Skip(3).Take(3), await IdsAsync(user, "?limit=3&offset=3"));
        Assert.Equal(all.Skip(3).Take(3), await IdsAsync(user, "?limit=3&skip=3"));
        Assert.Equal(all.Skip(6), await IdsAsync(user, "?limit=3&offset=6"));
        // Pages of one, walked to the end, are the whole list once: a tie in created_at never repeats or drops a row.
        var walked = new List<long>();
        for (var offset = 0; offset < all.Count + 1; offset++)
        {
            walked.AddRange(await IdsAsync(user, $"?limit=1&offset={offset}"));
        }
        Assert.Equal(all, walked);
    }

    [Theory]
    [InlineData("?platform=skype", "platform", "value is not a valid enumeration member; permitted: 'google_meet', 'zoom', 'teams'")]
    [InlineData("?status=", "status", "ensure this value has at least 1 characters")]
    [InlineData("?limit=0", "limit", "ensure this value is between 1 and 1000")]
    [InlineData("?offset=-1", "offset", "ensure this value is between 0 and 2147483647")]
    [InlineData("?offset=x", "offset", "value is not a valid integer")]
    [InlineData("?offset=1&skip=2", "offset", "offset and skip are the same parameter; give one, or the same value")]
    public async Task A_bad_filter_is_a_422_naming_it(string query, string parameter, string message)
    {
        var user = await fixture.NewUserAsync();
        var (status, body) = await GetAsync(user, "/meetings" + query);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = body["detail"]!.AsArray().Single()!;
        Assert.Equal(["query", parameter], issue["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(message, issue["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_meeting_is_found_by_its_id_by_its_owner_only()
    {
        var (user, meetings, others) = await SeedAsync();
        var (status, body) = await GetAsync(user, $"/meetings/{meetings[2].Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(meetings[2].Id, body["id"]!.GetValue<long>());
        Assert.Equal(meetings[2].Platform, body["platform"]!.GetValue<string>());
        Assert.Equal(meetings[2].Status, body["status"]!.GetValue<string>());
        Assert.Equal(user, body["user_id"]!.GetValue<long>());

        // Another user's meeting and one that never existed answer alike.
        var theirs = await GetAsync(user, $"/meetings/{others}");
        var never = await GetAsync(user, $"/meetings/{long.MaxValue}");
        Assert.Equal((HttpStatusCode.NotFound, """{"detail":"Meeting not found"}"""), (theirs.Status, theirs.Body.ToJsonString()));
        Assert.Equal((theirs.Status, theirs.Body.ToJsonString()), (never.Status, never.Body.ToJsonString()));

        var (badStatus, bad) = await GetAsync(user, "/meetings/abc");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus);
        Assert.Equal(["path", "meeting_id"], bad["detail"]![0]!["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
    }
}
