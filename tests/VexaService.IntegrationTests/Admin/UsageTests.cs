using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Http;

namespace VexaService.IntegrationTests.Admin;

/// <summary>
/// Usage metering (issue 18): bot time of running, completed, failed and deleted meetings, cut at midnight UTC, the
/// same from two AdminApi replicas, as JSON per user and as the admin's CSV. Meetings are written to the database as
/// the services write them; the trigger keeps their usage, including after a deletion.
/// </summary>
public sealed class UsageTests : IAsyncLifetime
{
    /// <summary>01:00 UTC on 12 Nov 2026: the running meeting started 90 minutes before.</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 12, 1, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly List<ServiceFactory<AdminApiMarker>> _replicas = [];
    private CallerToken _signer = null!;

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _signer = new CallerToken(Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), _clock);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }

    private HttpClient NewReplica()
    {
        var replica = new ServiceFactory<AdminApiMarker>();
        _replicas.Add(replica);
        return replica.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock))).CreateClient();
    }

    private async Task<JsonObject> UsageAsync(HttpClient admin, long userId, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/user/usage" + query);
        request.Headers.Add(CallerToken.HeaderName, _signer.Sign(userId));
        var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).AsObject();
    }

    private static DateTime At(string utc) => DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>A meeting as the services leave it; returns its id.</summary>
    private static async Task<long> MeetingAsync(VexaDbContext db, long userId, string platform, string status, string? start, string? end, string created)
    {
        var meeting = new Meeting
        {
            UserId = userId, Platform = platform, NativeMeetingId = RetailerFixture.NewMeetId(), Status = status,
            StartTime = start is null ? null : At(start), EndTime = end is null ? null : At(end),
            CreatedAt = At(created), UpdatedAt = At(created),
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return meeting.Id;
    }

    [Fact]
    public async Task Bot_time_is_cut_at_midnight_and_counts_running_completed_and_deleted_meetings_but_not_failed_starts()
    {
        await using var db = TestEnvironment.NewDbContext();
        var user = new User { Email = TestEnvironment.UniqueEmail("usage"), Data = "{}" };
        var other = new User { Email = TestEnvironment.UniqueEmail("usage-other"), Data = "{}" };
        db.Users.AddRange(user, other);
        await db.SaveChangesAsync();

        // 75 min over midnight (30 + 45), on Google Meet.
        var crossing = await MeetingAsync(db, user.Id, "google_meet", "active", "2026-11-10T23:30:00", null, "2026-11-10T23:29:00");
        // It ends later, as a webhook would bring it (in SQL: the usage trigger sees every write, however made).
        var end = At("2026-11-11T00:45:00");
        await db.Meetings.Where(m => m.Id == crossing)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, "completed").SetProperty(m => m.EndTime, end));
        // Running on Teams since 23:30 the day before "now": 30 + 60 min so far.
        await MeetingAsync(db, user.Id, "teams", "active", "2026-11-11T23:30:00", null, "2026-11-11T23:29:00");
        // 20 min on Zoom, then deleted by its owner: still billed.
        var deleted = await MeetingAsync(db, user.Id, "zoom", "completed", "2026-11-11T10:00:00", "2026-11-11T10:20:00", "2026-11-11T09:59:00");
        await db.Meetings.Where(m => m.Id == deleted).ExecuteDeleteAsync();
        // A start the Wholesaler refused: costs nothing. And a meeting outside the range.
        await MeetingAsync(db, user.Id, "google_meet", "failed", null, null, "2026-11-11T12:00:00");
        await MeetingAsync(db, user.Id, "google_meet", "completed", "2026-10-01T10:00:00", "2026-10-01T11:00:00", "2026-10-01T09:59:00");
        // Another user's meeting at the same time.
        await MeetingAsync(db, other.Id, "zoom", "completed", "2026-11-11T10:00:00", "2026-11-11T11:00:00", "2026-11-11T09:59:00");

        var (first, second) = (NewReplica(), NewReplica());
        var usage = await UsageAsync(first, user.Id, "?from=2026-11-10&to=2026-11-12");
        Assert.Equal(usage.ToJsonString(), (await UsageAsync(second, user.Id, "?from=2026-11-10&to=2026-11-12")).ToJsonString());

        Assert.Equal(185 * 60, usage["bot_seconds"]!.GetValue<long>());
        Assert.Equal(185.0, usage["bot_minutes"]!.GetValue<double>());
        Assert.Equal((3, 1, 1, 1), (usage["meetings"]!.GetValue<int>(), usage["running"]!.GetValue<int>(),
            usage["deleted"]!.GetValue<int>(), usage["failed_starts"]!.GetValue<int>()));
        Assert.Equal([("2026-11-10", 30.0, 1), ("2026-11-11", 95.0, 3), ("2026-11-12", 60.0, 1)],
            usage["by_day"]!.AsArray().Select(d => (d!["date"]!.GetValue<string>(), d["bot_minutes"]!.GetValue<double>(), d["meetings"]!.GetValue<int>())));
        Assert.Equal([("google_meet", 75.0), ("teams", 90.0), ("zoom", 20.0)],
            usage["by_platform"]!.AsArray().Select(p => (p!["platform"]!.GetValue<string>(), p["bot_minutes"]!.GetValue<double>())));
        var deletedLine = usage["meetings_used"]!.AsArray().Single(m => m!["meeting_id"]!.GetValue<long>() == deleted)!;
        Assert.True(deletedLine["deleted"]!.GetValue<bool>());

        // One day of it; and the running meeting grows with the clock.
        Assert.Equal(95 * 60, (await UsageAsync(first, user.Id, "?from=2026-11-11&to=2026-11-11"))["bot_seconds"]!.GetValue<long>());
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(195 * 60, (await UsageAsync(second, user.Id, "?from=2026-11-10&to=2026-11-12"))["bot_seconds"]!.GetValue<long>());
        // The other user sees only their own hour; the default range is this month so far.
        var others = await UsageAsync(first, other.Id, "");
        Assert.Equal(("2026-11-01", "2026-11-12", 3600L), (others["from"]!.GetValue<string>(), others["to"]!.GetValue<string>(), others["bot_seconds"]!.GetValue<long>()));

        // The admin's view per user, and the CSV export says the same.
        var admin = new AdminClient(first);
        var perUser = (await (await admin.SendAsync(HttpMethod.Get, "/admin/usage?from=2026-11-10&to=2026-11-12")).JsonAsync())["users"]!.AsArray();
        var mine = perUser.Single(u => u!["user_id"]!.GetValue<long>() == user.Id)!;
        Assert.Equal((user.Email, 195 * 60L, 3), (mine["email"]!.GetValue<string>(), mine["bot_seconds"]!.GetValue<long>(), mine["meetings"]!.GetValue<int>()));
        var csv = await admin.SendAsync(HttpMethod.Get, "/admin/usage?from=2026-11-10&to=2026-11-12&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("user_id,email,bot_seconds,bot_minutes,meetings,running,deleted,failed_starts", lines[0]);
        Assert.Equal(perUser.Select(u => string.Join(',', u!["user_id"], u["email"]!.GetValue<string>(), u["bot_seconds"],
                u["bot_minutes"]!.GetValue<double>().ToString("0.00", CultureInfo.InvariantCulture), u["meetings"], u["running"], u["deleted"], u["failed_starts"])),
            lines.Skip(1));
    }

    [Theory]
    [InlineData("/user/usage?from=11/10/2026", "from", "invalid date format: YYYY-MM-DD")]
    [InlineData("/user/usage?from=2026-11-12&to=2026-11-10", "to", "to must not be before from")]
    [InlineData("/user/usage?from=2025-01-01&to=2026-11-10", "to", "a range is at most 366 days")]
    [InlineData("/admin/usage?format=xml", "format", "value is not a valid enumeration member; permitted: 'json', 'csv'")]
    public async Task A_bad_range_or_format_is_refused_with_422(string path, string field, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(CallerToken.HeaderName, _signer.Sign(1));
        request.Headers.Add("X-Admin-API-Key", TestEnvironment.AdminKey);
        var response = await NewReplica().SendAsync(request);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await response.JsonAsync())["detail"]![0]!;
        Assert.Equal(["query", field], issue["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(message, issue["msg"]!.GetValue<string>());
    }
}
