using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.AdminApi;
using VexaService.BotManager;
using VexaService.Data;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Gateway;

/// <summary>
/// The reads users poll, kept at the gateway (issue 34): every writer of a meeting, in every service, renews its owner's
/// read generation after the commit, so the next read of every kept list of that user, on every gateway replica, shows
/// the change; another user's kept reads stay kept. Whether a read was kept is seen by changing the rows behind the
/// services' back (SQL that no writer announces): a kept read does not show it, a fresh one does.
/// </summary>
[Collection(RetailerCollection.Name)]
public sealed class UserReadCacheTests(RetailerFixture fixture) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _services = [];
    private int _sneaks;

    [Fact]
    public async Task Every_writer_renews_the_kept_reads_of_the_meetings_owner_on_every_replica_and_of_nobody_else()
    {
        var (first, second, botManager) = StartStack();
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        var live = await InsertMeetingAsync(a.Id, MeetingStatus.Requested);

        var writers = new (string Name, Func<Task> Write, Func<Dictionary<string, string>, bool> Shows)[]
        {
            ("status from the gateway (/ws frames, the feed)", () => MoveAsync(Providers[first], live, MeetingStatus.Joining), r => StatusIs(r, live, MeetingStatus.Joining)),
            ("status from BotManager (follower, reconciler, start, stop)", () => MoveAsync(botManager.Services, live, MeetingStatus.Active), r => StatusIs(r, live, MeetingStatus.Active)),
            ("status from Transcripts (webhooks, transcript reads)", () => MoveAsync(fixture.Transcripts.Services, live, MeetingStatus.Stopping), r => StatusIs(r, live, MeetingStatus.Stopping)),
            ("PATCH /meetings", () => PatchAsync(first, a), r => r["/meetings"].Contains("\"renamed\"")),
            ("POST /bots (start)", () => StartAsync(second, a), r => r["/meetings"].Contains(a.StartedMeetId!)),
            ("DELETE /bots (stop)", () => StopAsync(first, a), r => Status(r, a.StartedMeetId!) is MeetingStatus.Stopping or MeetingStatus.Completed),
            ("DELETE /meetings", () => DeleteAsync(second, a), r => !r["/meetings"].Contains(a.CompletedMeetId)),
        };
        foreach (var (name, write, shows) in writers)
        {
            if (name == "DELETE /meetings")
            {
                await SettledAsync(a, MeetingStatus.Completed); // the stopped bot's exit is a write too
            }
            // Kept on both replicas (the first read after a change fills each; a key's very first use, whose lookup is
            // not cached yet, reads no generation), then rows changed behind the services' back stay unseen.
            foreach (var gateway in new[] { first, second, first })
            {
                await ReadAllAsync(gateway, a);
                await ReadAllAsync(gateway, b);
            }
            var sneak = await SneakAsync(a.Id, b.Id);
            var bKept = await ReadAllAsync(second, b);
            foreach (var gateway in new[] { first, second })
            {
                Assert.DoesNotContain(sneak, (await ReadAllAsync(gateway, a))["/meetings"]);
                Assert.DoesNotContain(sneak, bKept["/meetings"]);
            }

            await write();

            foreach (var gateway in new[] { first, second })
            {
                var fresh = await ReadAllAsync(gateway, a);
                Assert.True(shows(fresh), $"{name}: not in the next read through a replica: {fresh["/meetings"]}");
                Assert.True(fresh["/meetings"].Contains(sneak), $"{name}: the read after the write was not fresh: {fresh["/meetings"]}");
                Assert.Contains(sneak, fresh["/bots"]);
                var usage = await DirectUsageAsync(a);
                if (JsonNode.Parse(usage)!["running"]!.GetValue<int>() == 0) // else it moves by the second
                {
                    Assert.Equal(usage, fresh["/user/usage"]);
                }
                // The other user's reads stay kept: what was changed behind the services' back is still unseen.
                Assert.Equal(bKept, await ReadAllAsync(gateway, b));
            }
        }
    }

    [Fact]
    public async Task A_meeting_read_by_id_and_the_running_bots_show_a_start_at_once()
    {
        var (gateway, _, _) = StartStack();
        var a = await NewTenantAsync();
        var byId = $"/meetings/{a.CompletedMeetingId}";
        Assert.Equal(HttpStatusCode.OK, (await gateway.SendAsync(HttpMethod.Get, byId, a.Key)).StatusCode);
        var kept = await gateway.SendAsync(HttpMethod.Get, byId, a.Key);
        var status = await (await gateway.SendAsync(HttpMethod.Get, "/bots/status", a.Key)).JsonAsync();
        Assert.Empty(status["running_bots"]!.AsArray());

        var sneak = await SneakAsync(a.Id);
        Assert.Equal(await kept.Content.ReadAsStringAsync(), await (await gateway.SendAsync(HttpMethod.Get, byId, a.Key)).Content.ReadAsStringAsync());

        await StartAsync(gateway, a);
        Assert.Contains(sneak, await (await gateway.SendAsync(HttpMethod.Get, byId, a.Key)).Content.ReadAsStringAsync());
        var running = (await (await gateway.SendAsync(HttpMethod.Get, "/bots/status", a.Key)).JsonAsync())["running_bots"]!.AsArray();
        Assert.Contains(running, bot => bot!["native_meeting_id"]!.GetValue<string>() == a.StartedMeetId);

        // Not kept: an answer that is not a 200, and the services' mark never reaches the client.
        var missing = await gateway.SendAsync(HttpMethod.Get, "/meetings/999999999", a.Key);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(kept.Headers.Contains(Http.Caching.EdgeKeep.HeaderName));
        Assert.False(missing.Headers.Contains(Http.Caching.EdgeKeep.HeaderName));
        await StopAsync(gateway, a);
    }

    [Fact]
    public async Task An_evicted_generation_leaves_nothing_kept_under_it_reachable()
    {
        var (gateway, _, _) = StartStack();
        var a = await NewTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await ReadAllAsync(gateway, a);
        }
        Assert.DoesNotContain(await SneakAsync(a.Id), (await ReadAllAsync(gateway, a))["/meetings"]);

        // Redis runs allkeys-lru: the generation may go at any moment. The next read sets a new token, never the old one.
        var redis = Providers[gateway].GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        Assert.True(await redis.KeyDeleteAsync(Caching.RedisKeys.UserReadsGeneration(a.Id)));
        var sneak = await SneakAsync(a.Id);
        Assert.Contains(sneak, (await ReadAllAsync(gateway, a))["/meetings"]);
    }

    [Fact]
    public async Task A_live_transcript_read_from_the_fed_copy_is_kept_until_the_copy_is_written()
    {
        var (first, second, _) = StartStack();
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        var meetingId = await InsertMeetingAsync(a.Id, MeetingStatus.Active, startedAgo: TimeSpan.FromMinutes(1));
        var otherId = await InsertMeetingAsync(b.Id, MeetingStatus.Active, startedAgo: TimeSpan.FromMinutes(1));
        // Fed as the gateway's feed marks a meeting whose copy it keeps whole: the meeting names the feed's epoch.
        var epoch = $"test-epoch-{Guid.NewGuid():N}";
        var redis = Providers[first].GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var scope = fixture.Transcripts.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::VexaService.Wholesaler.WholesalerOptions>>().Value.RedisScope();
        await redis.StringSetAsync(Caching.RedisKeys.WholesalerTranscriptFeed(scope), epoch, TimeSpan.FromSeconds(60));
        try
        {
            await using (var db = fixture.NewDbContext())
            {
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE meetings SET transcript_fed = {epoch}, wholesaler_meeting_id = id + 900000000, wholesaler_issuer = 'test'
                    WHERE id = ANY({new[] { meetingId, otherId }})
                    """);
            }
            await WriteSegmentAsync(Providers[first], meetingId, 1, "first words");
            await WriteSegmentAsync(Providers[first], otherId, 1, "other words");
            var path = await TranscriptPathAsync(meetingId);
            var otherPath = await TranscriptPathAsync(otherId);

            // Kept on both replicas, then a segment written behind the services' back stays unseen.
            foreach (var gateway in new[] { first, second, first, second })
            {
                Assert.Contains("first words", await ReadAsync(gateway, path, a.Key));
                Assert.Contains("other words", await ReadAsync(gateway, otherPath, b.Key));
            }
            await SneakSegmentAsync(meetingId, "sneaked in");
            await SneakSegmentAsync(otherId, "sneaked in");
            foreach (var gateway in new[] { first, second })
            {
                Assert.DoesNotContain("sneaked in", await ReadAsync(gateway, path, a.Key));
            }

            // A write to the copy (the feed's frames from the gateway, a catch-up or read-back from Transcripts) shows in
            // the next read through every replica; the other user's kept transcript stays kept.
            await WriteSegmentAsync(Providers[first], meetingId, 2, "second words");
            foreach (var gateway in new[] { first, second })
            {
                var fresh = await ReadAsync(gateway, path, a.Key);
                Assert.Contains("second words", fresh);
                Assert.Contains("sneaked in", fresh);
                Assert.DoesNotContain("sneaked in", await ReadAsync(gateway, otherPath, b.Key));
            }
            await using (var scopeOfTranscripts = fixture.Transcripts.Services.CreateAsyncScope())
            {
                var meeting = await scopeOfTranscripts.ServiceProvider.GetRequiredService<VexaDbContext>().Meetings.SingleAsync(m => m.Id == meetingId);
                await scopeOfTranscripts.ServiceProvider.GetRequiredService<SegmentStore>().SaveAsync(meeting,
                    [new StoredSegment(Segment(3, "third words"))], final: false, CancellationToken.None);
            }
            Assert.Contains("third words", await ReadAsync(second, path, a.Key));
        }
        finally
        {
            await redis.KeyDeleteAsync(Caching.RedisKeys.WholesalerTranscriptFeed(scope));
        }
    }

    private static JsonObject Segment(int second, string text) => new()
    {
        ["start"] = (double)second, ["end"] = second + 0.5, ["text"] = text, ["speaker"] = "Ann", ["language"] = "en",
        ["absolute_start_time"] = DateTime.UtcNow.ToString("O"), ["absolute_end_time"] = DateTime.UtcNow.ToString("O"),
    };

    private static async Task WriteSegmentAsync(IServiceProvider services, long meetingId, int second, string text)
    {
        await using var scope = services.CreateAsyncScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<SegmentStore>()
            .MergeAsync(meetingId, [new StoredSegment(Segment(second, text))], CancellationToken.None));
    }

    /// <summary>A segment written by hand: tells nobody.</summary>
    private async Task SneakSegmentAsync(long meetingId, string text)
    {
        await using var db = fixture.NewDbContext();
        var json = Segment(30, text).ToJsonString();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO transcript_segments (meeting_id, segment_key, start, text, speaker, json, updated_at)
            VALUES ({meetingId}, '30.000', 30, {text}, 'Ann', {json}, now())
            """);
    }

    private async Task<string> TranscriptPathAsync(long meetingId)
    {
        await using var db = fixture.NewDbContext();
        return $"/transcripts/google_meet/{await db.Meetings.Where(m => m.Id == meetingId).Select(m => m.NativeMeetingId).SingleAsync()}";
    }

    private static async Task<string> ReadAsync(HttpClient gateway, string path, string key)
    {
        var response = await gateway.SendAsync(HttpMethod.Get, path, key);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        Assert.False(response.Headers.Contains(Http.Caching.EdgeKeep.HeaderName));
        return body;
    }

    [Fact]
    public async Task Usage_with_a_bot_running_is_never_kept()
    {
        var (gateway, _, _) = StartStack();
        var a = await NewTenantAsync();
        var running = await InsertMeetingAsync(a.Id, MeetingStatus.Active, startedAgo: TimeSpan.FromMinutes(5));
        var usage = await (await gateway.SendAsync(HttpMethod.Get, "/user/usage", a.Key)).JsonAsync();
        Assert.Equal(1, usage["running"]!.GetValue<int>());
        await Task.Delay(1100); // a second of bot time later
        var later = await (await gateway.SendAsync(HttpMethod.Get, "/user/usage", a.Key)).JsonAsync();
        Assert.True(later["bot_seconds"]!.GetValue<long>() > usage["bot_seconds"]!.GetValue<long>(),
            $"running bot time must grow between reads: {usage["bot_seconds"]} then {later["bot_seconds"]}");
        await MoveAsync(fixture.Transcripts.Services, running, MeetingStatus.Completed);
    }

    private static string? Status(Dictionary<string, string> reads, string nativeId) =>
        JsonNode.Parse(reads["/meetings"])!["meetings"]!.AsArray().FirstOrDefault(m => m!["native_meeting_id"]!.GetValue<string>() == nativeId)?["status"]?.GetValue<string>();

    private static bool StatusIs(Dictionary<string, string> reads, long meetingId, string status) =>
        JsonNode.Parse(reads["/meetings"])!["meetings"]!.AsArray().Any(m => m!["id"]!.GetValue<long>() == meetingId && m["status"]!.GetValue<string>() == status);

    private sealed record Tenant(long Id, string Key, long CompletedMeetingId, string CompletedMeetId)
    {
        public string? StartedMeetId { get; set; }
    }

    private async Task<Tenant> NewTenantAsync()
    {
        var id = await NewUserAsync();
        var key = await fixture.NewKeyAsync(id);
        var completed = await InsertMeetingAsync(id, MeetingStatus.Completed, startedAgo: TimeSpan.FromMinutes(10), lasted: TimeSpan.FromMinutes(3));
        await using var db = fixture.NewDbContext();
        var meetId = await db.Meetings.Where(m => m.Id == completed).Select(m => m.NativeMeetingId).SingleAsync();
        return new Tenant(id, key, completed, meetId);
    }

    /// <summary>
    /// A user whose id no other test's database reaches: the stacks with databases of their own share the test Redis,
    /// where a read generation is named by user id, and their users 1, 2, 3... renewing "ours" would look like a kept
    /// read dropped for nothing (in a deployment, one database has one Redis).
    /// </summary>
    private async Task<long> NewUserAsync()
    {
        await using var db = fixture.NewDbContext();
        var user = new User
        {
            Id = 1_000_000_000_000 + Random.Shared.NextInt64(1_000_000_000_000), Email = TestEnvironment.UniqueEmail("reads"), MaxConcurrentBots = 5,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private async Task<long> InsertMeetingAsync(long userId, string status, TimeSpan? startedAgo = null, TimeSpan? lasted = null)
    {
        await using var db = fixture.NewDbContext(); // made by hand: tells nobody, as a write behind the services' back
        var now = DateTime.UtcNow;
        var meeting = new Meeting
        {
            UserId = userId, Platform = "google_meet", NativeMeetingId = RetailerFixture.NewMeetId(), Status = status,
            StartTime = now - startedAgo, EndTime = now - startedAgo + lasted, CreatedAt = now, UpdatedAt = now,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        return meeting.Id;
    }

    /// <summary>Changes every meeting of the users behind the services' back (and a finished one's bot time by a second);
    /// returns the mark a fresh read shows.</summary>
    private async Task<string> SneakAsync(params long[] userIds)
    {
        var mark = $"sneak-{Interlocked.Increment(ref _sneaks)}-{Guid.NewGuid():N}";
        await using var db = fixture.NewDbContext();
        var patch = new JsonObject { ["sneak"] = mark }.ToJsonString();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE meetings SET data = data || {patch}::jsonb,
              end_time = CASE WHEN status = 'completed' THEN end_time + interval '1 second' ELSE end_time END
            WHERE user_id = ANY({userIds})
            """);
        return mark;
    }

    private static async Task<Dictionary<string, string>> ReadAllAsync(HttpClient gateway, Tenant tenant)
    {
        var reads = new Dictionary<string, string>();
        foreach (var path in new[] { "/meetings", "/bots", "/user/usage", $"/meetings/{tenant.CompletedMeetingId}" })
        {
            var response = await gateway.SendAsync(HttpMethod.Get, path, tenant.Key);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {body}");
            reads[path.StartsWith("/meetings/", StringComparison.Ordinal) ? "/meetings/{id}" : path] = body;
        }
        return reads;
    }

    private async Task<string> DirectUsageAsync(Tenant tenant)
    {
        var response = await fixture.AsUserAsync(_admin!.CreateClient(), tenant.Id, HttpMethod.Get, "/user/usage");
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task MoveAsync(IServiceProvider services, long meetingId, string status)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var meeting = await db.Meetings.SingleAsync(m => m.Id == meetingId);
        Assert.True(await scope.ServiceProvider.GetRequiredService<MeetingStatusWriter>()
            .ApplyAsync(meeting, StatusTransition.Wholesaler, m => { m.Status = status; return true; }, CancellationToken.None));
    }

    private static async Task PatchAsync(HttpClient gateway, Tenant tenant)
    {
        var response = await gateway.SendAsync(HttpMethod.Patch, $"/meetings/google_meet/{tenant.CompletedMeetId}", tenant.Key,
            JsonContent.Create(new { data = new { name = "renamed" } }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task StartAsync(HttpClient gateway, Tenant tenant)
    {
        tenant.StartedMeetId = RetailerFixture.NewMeetId();
        var response = await gateway.SendAsync(HttpMethod.Post, "/bots", tenant.Key,
            JsonContent.Create(new { platform = "google_meet", native_meeting_id = tenant.StartedMeetId }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        // The bot's statuses are writes too: the next step starts once they are over, so that only its own write renews.
        await SettledAsync(tenant, MeetingStatus.Active);
    }

    private async Task StopAsync(HttpClient gateway, Tenant tenant)
    {
        var response = await gateway.SendAsync(HttpMethod.Delete, $"/bots/google_meet/{tenant.StartedMeetId}", tenant.Key);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the tenant's started meeting has reached <paramref name="status"/> and the writes that brought
    /// it are over: the webhooks that told of it and their read-backs, each of which renews the owner's reads. A fixed
    /// pause was not always enough under the whole suite's load (a late read-back renewed the reads the test had just
    /// kept), so it waits until the owner's read generation has stayed the same for a second.</summary>
    private async Task SettledAsync(Tenant tenant, string status)
    {
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = fixture.NewDbContext();
            return await db.Meetings.AnyAsync(m => m.NativeMeetingId == tenant.StartedMeetId && m.Status == status);
        });
        var redis = fixture.Transcripts.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var generation = Caching.RedisKeys.UserReadsGeneration(tenant.Id);
        var last = await redis.StringGetAsync(generation);
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await Task.Delay(1000);
            var now = await redis.StringGetAsync(generation);
            var quiet = now == last;
            last = now;
            return quiet;
        }, 30_000);
    }

    private static async Task DeleteAsync(HttpClient gateway, Tenant tenant)
    {
        var response = await gateway.SendAsync(HttpMethod.Delete, $"/meetings/google_meet/{tenant.CompletedMeetId}", tenant.Key);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private ServiceFactory<AdminApiMarker>? _admin;

    /// <summary>Two gateway replicas over the fixture's Transcripts, a BotManager and an AdminApi on real ports, with the
    /// running bots' copy kept as deployed (2 s), so that <c>GET /bots/status</c> is kept too.</summary>
    private (HttpClient First, HttpClient Second, ServiceFactory<BotManagerMarker> BotManager) StartStack()
    {
        var botManager = fixture.NewBotManager(new() { ["Wholesaler:RunningBotsMaxAge"] = "00:00:02" });
        var botManagerUrl = Start(botManager);
        _admin = new ServiceFactory<AdminApiMarker>(new Dictionary<string, string?> { ["ConnectionStrings:vexadb"] = fixture.Database });
        var adminUrl = Start(_admin);
        HttpClient Gateway()
        {
            var gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
            {
                ["ConnectionStrings:vexadb"] = fixture.Database,
                ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
                ["services:admin-api:http:0"] = adminUrl,
                ["services:bot-manager:http:0"] = botManagerUrl,
                ["services:transcripts:http:0"] = fixture.TranscriptsUrl,
            });
            var client = new HttpClient { BaseAddress = new Uri(Start(gateway)) };
            Providers[client] = gateway.Services;
            return client;
        }
        return (Gateway(), Gateway(), botManager);
    }

    private Dictionary<HttpClient, IServiceProvider> Providers { get; } = [];

    private string Start<T>(ServiceFactory<T> factory) where T : class
    {
        var port = Loopback.FreePort();
        factory.UseKestrelOn(port);
        factory.StartServer();
        _services.Add(factory);
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }
    }
}
