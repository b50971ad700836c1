using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Playwright;
using VexaService.Gateway;
using VexaService.Gateway.Live;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Keys;
using VexaService.Observability;
using VexaService.Testing;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// Live transcripts over <c>/ws</c> at the gateway (contract §14), relayed from the emulator's <c>/ws</c>: Vexa's frames
/// and errors, and each user seeing only their own meetings, also when two users take turns on one native id.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class LiveTranscriptTests(LiveStack fixture) : IAsyncLifetime
{
    private ServiceFactory<GatewayMarker> _gateway = null!;
    private string _ws = "";

    public ValueTask InitializeAsync()
    {
        (_gateway, _ws) = StartGateway();
        return ValueTask.CompletedTask;
    }

    /// <summary>A gateway replica on its own port, relaying the fixture's emulator; returns it and its /ws address.</summary>
    /// <param name="trustCacheFor">How long the replica uses cached key lookups without reading the revoked keys
    /// (<c>Auth:RevocationMaxLag</c>): one without a database must be told to, to get past authentication at all.</param>
    private (ServiceFactory<GatewayMarker>, string) StartGateway(string? database = null, int maxSocketsPerKey = 20, int keyCheckSeconds = 5,
        int keepAliveSeconds = 30, string trustCacheFor = "00:00:05")
    {
        var port = Loopback.FreePort();
        var gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
        {
            ["Live:MaxSocketsPerKey"] = maxSocketsPerKey.ToString(CultureInfo.InvariantCulture),
            ["Live:KeyCheckSeconds"] = keyCheckSeconds.ToString(CultureInfo.InvariantCulture),
            ["Live:KeepAliveSeconds"] = keepAliveSeconds.ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings:vexadb"] = database ?? fixture.Database,
            ["Live:WholesalerUrl"] = fixture.EmulatorUrl,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl, // whose meetings its status frames move (the issuer)
            ["Live:SendQueueFrames"] = "16",
            ["Auth:RevocationMaxLag"] = trustCacheFor,
            ["services:admin-api:http:0"] = "http://127.0.0.1:9",
            ["services:bot-manager:http:0"] = "http://127.0.0.1:9",
            ["services:transcripts:http:0"] = "http://127.0.0.1:9",
        });
        gateway.UseKestrelOn(port);
        gateway.StartServer();
        return (gateway, $"ws://127.0.0.1:{port}/ws");
    }

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>A user with an API key of their own (stored as the admin API stores it).</summary>
    private static async Task<(long UserId, string Key)> UserWithKeyAsync(RetailerFixture fixture)
    {
        var userId = await fixture.NewUserAsync();
        return (userId, await fixture.NewKeyAsync(userId));
    }

    /// <summary>A new API key of <paramref name="userId"/>.</summary>
    private Task<string> KeyOfAsync(long userId, DateTime? expiresAt = null) => fixture.NewKeyAsync(userId, expiresAt);

    private async Task<LiveClient> ConnectAsync(string? key, bool inQuery = false, string? ws = null)
    {
        var socket = new ClientWebSocket();
        var uri = ws ?? _ws;
        if (key is not null && inQuery)
        {
            uri += "?api_key=" + key;
        }
        else if (key is not null)
        {
            socket.Options.SetRequestHeader("X-API-Key", key);
        }
        await socket.ConnectAsync(new Uri(uri), TestContext.Current.CancellationToken);
        return new LiveClient(socket);
    }

    private static JsonObject Meeting(string meetId) => new() { ["platform"] = "google_meet", ["native_id"] = meetId };

    [Fact]
    public async Task Missing_and_unknown_keys_are_refused_with_4401()
    {
        await using var none = await ConnectAsync(null);
        Assert.Equal("missing_api_key", (await none.NextAsync())!["error"]!.GetValue<string>());
        Assert.Equal(4401, (int)(await none.ClosedAsync())!);

        await using var unknown = await ConnectAsync(new string('x', 40));
        Assert.Equal("invalid_api_key", (await unknown.NextAsync())!["error"]!.GetValue<string>());
        Assert.Equal(4401, (int)(await unknown.ClosedAsync())!);
    }

    [Fact]
    public async Task Every_request_frame_gets_vexas_answer()
    {
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        await using var client = await ConnectAsync(key, inQuery: true);

        async Task<JsonObject> AskAsync(string frame)
        {
            await client.SendAsync(frame);
            return (await client.NextAsync(f => f["type"]?.GetValue<string>() is not ("transcript.mutable" or "transcript.finalized" or "meeting.status")))!;
        }

        Assert.Equal("pong", (await AskAsync("""{"action":"ping"}"""))["type"]!.GetValue<string>());
        Assert.Equal("invalid_json", (await AskAsync("not json"))["error"]!.GetValue<string>());
        Assert.Equal("unknown_action", (await AskAsync("""{"action":"dance"}"""))["error"]!.GetValue<string>());
        Assert.Equal("'meetings' must be a non-empty list", (await AskAsync("""{"action":"subscribe","meetings":"x"}"""))["details"]!.GetValue<string>());
        Assert.Equal("'meetings' list cannot be empty", (await AskAsync("""{"action":"subscribe","meetings":[]}"""))["details"]!.GetValue<string>());
        Assert.Equal("no valid meeting objects", (await AskAsync("""{"action":"subscribe","meetings":[{"platform":"zoom"}]}"""))["details"]!.GetValue<string>());

        var mixed = await AskAsync(new JsonObject
        {
            ["action"] = "subscribe",
            ["meetings"] = new JsonArray(Meeting(meetId), Meeting(RetailerFixture.NewMeetId()), new JsonObject { ["platform"] = "zoom", ["native_id"] = "12" }),
        }.ToJsonString());
        Assert.Equal("invalid_subscribe_payload", mixed["error"]!.GetValue<string>());
        Assert.Equal(["meetings[1] not authorized or not found for user", "meetings[2] invalid native_meeting_id for platform 'zoom'"],
            mixed["details"]!.AsArray().Select(d => d!.GetValue<string>()));
        var subscribed = (await client.NextAsync(f => f["type"]!.GetValue<string>() == "subscribed"))!;
        Assert.Equal([meetId], subscribed["meetings"]!.AsArray().Select(m => m!["native_id"]!.GetValue<string>()));

        var unsubscribed = await AskAsync(new JsonObject { ["action"] = "unsubscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.Equal("unsubscribed", unsubscribed["type"]!.GetValue<string>());
    }

    /// <summary>
    /// What a client may make the gateway and the Wholesaler do: every message counts against its key's rate limit, a
    /// subscribe names at most 100 meetings and costs one query whatever it names, and subscribe/unsubscribe churn on a
    /// meeting costs the Wholesaler (to which we are one rate-limited user) nothing.
    /// </summary>
    [Fact]
    public async Task Client_messages_are_metered_and_cost_the_database_and_the_wholesaler_a_bounded_amount()
    {
        var queries = new QueryCounter(containing: "meetings");
        var port = Loopback.FreePort();
        await using var gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings:vexadb"] = fixture.Database,
            ["Live:KeyCheckSeconds"] = "3600",
            ["Live:WholesalerUrl"] = fixture.EmulatorUrl,
            ["Wholesaler:BaseAddress"] = fixture.EmulatorUrl,
            ["RateLimit:PermitLimit"] = "60",
            ["RateLimit:Window"] = "00:01:00",
        }).WithWebHostBuilder(web => web.ConfigureServices(services => services.ConfigureDbContext<VexaDbContext>(db => db.AddInterceptors(queries))));
        gateway.UseKestrel();
        gateway.StartServer();
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        await using var client = await ConnectAsync(key, ws: $"ws://127.0.0.1:{port}/ws");
        async Task<JsonObject> AskAsync(JsonObject frame)
        {
            await client.SendAsync(frame.ToJsonString());
            return (await client.NextAsync(f => f["type"]?.GetValue<string>() is not ("transcript.mutable" or "transcript.finalized" or "meeting.status")))!;
        }
        JsonObject Subscribe(string action, IEnumerable<string> meetIds) =>
            new() { ["action"] = action, ["meetings"] = new JsonArray([.. meetIds.Select(Meeting)]) };

        // 1,200 meetings: refused whole, before any query.
        var before = queries.Count;
        var tooMany = await AskAsync(Subscribe("subscribe", Enumerable.Range(0, 1200).Select(i => $"abc-defg-{i:D3}")));
        Assert.Equal("invalid_subscribe_payload", tooMany["error"]!.GetValue<string>());
        Assert.Equal("at most 100 meetings per message (1200 given)", tooMany["details"]!.GetValue<string>());
        Assert.Equal(before, queries.Count);

        // 100 meetings, none of them the user's: one query for all.
        var others = await AskAsync(Subscribe("subscribe", Enumerable.Range(0, 100).Select(_ => RetailerFixture.NewMeetId())));
        Assert.Equal(100, others["details"]!.AsArray().Count);
        Assert.Equal(before + 1, queries.Count);
        Assert.Equal("subscribed", (await client.NextAsync(f => f["type"]!.GetValue<string>() == "subscribed"))!["type"]!.GetValue<string>());

        // Churn on the user's own meeting: one upstream subscribe, whatever the client does within the linger.
        var upstreamBefore = (await fixture.EmulatorStatsAsync())["live_subscription_changes"]!.GetValue<long>();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("subscribed", (await AskAsync(Subscribe("subscribe", [meetId])))["type"]!.GetValue<string>());
            Assert.Equal("unsubscribed", (await AskAsync(Subscribe("unsubscribe", [meetId])))["type"]!.GetValue<string>());
        }
        await Task.Delay(300, TestContext.Current.CancellationToken); // an unsubscribe sent upstream would have arrived
        Assert.Equal(upstreamBefore + 1, (await fixture.EmulatorStatsAsync())["live_subscription_changes"]!.GetValue<long>());

        // Every message counts against the key's limit (60 a minute; the upgrade and 22 messages so far): pings too.
        var answers = new List<JsonObject>();
        for (var i = 0; i < 100; i++)
        {
            answers.Add(await AskAsync(new JsonObject { ["action"] = "ping" }));
        }
        var limited = answers.Where(a => a["error"]?.GetValue<string>() == "rate_limited").ToList();
        Assert.Equal(100, answers.Count(a => a["type"]!.GetValue<string>() == "pong") + limited.Count);
        Assert.InRange(limited.Count, 100 + 23 - 2 * 60, 100); // at most two windows' permits, if a minute's end fell inside
        Assert.InRange(limited[0]["retry_after"]!.GetValue<int>(), 1, 60);
        var after = await AskAsync(new JsonObject { ["action"] = "ping" }); // answered: the socket stays open
        Assert.True(after["type"]!.GetValue<string>() == "pong" || after["error"]?.GetValue<string>() == "rate_limited", after.ToJsonString());
    }

    [Fact]
    public async Task Each_user_gets_the_frames_of_their_own_meeting_only_also_when_a_native_id_passes_to_another_user()
    {
        var ct = TestContext.Current.CancellationToken;
        var (alice, aliceKey) = await UserWithKeyAsync(fixture);
        var (bob, bobKey) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        var aliceMeeting = await fixture.StartBotAsync(alice, meetId);
        await using var aliceSocket = await ConnectAsync(aliceKey);
        await aliceSocket.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.Equal("subscribed", (await aliceSocket.NextAsync())!["type"]!.GetValue<string>());

        // Bob has no meeting there: refused as if it did not exist.
        await using var bobSocket = await ConnectAsync(bobKey);
        await bobSocket.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.Equal(["meetings[0] not authorized or not found for user"], (await bobSocket.NextAsync())!["details"]!.AsArray().Select(d => d!.GetValue<string>()));

        // Alice's live segments and statuses arrive, in Vexa's frames.
        var segment = await aliceSocket.NextAsync(f => f["type"]!.GetValue<string>() == "transcript.mutable");
        Assert.Equal(meetId, segment!["meeting"]!["native_id"]!.GetValue<string>());
        Assert.NotEmpty(segment["payload"]!["segments"]!.AsArray());
        await fixture.StopAndWaitCompletedAsync(alice, meetId, aliceMeeting);
        var ended = await aliceSocket.NextAsync(f => f["type"]!.GetValue<string>() == "meeting.status"
            && f["payload"]!["status"]!.GetValue<string>() == "completed");
        Assert.NotNull(ended);

        // The native id passes to Bob: he subscribes, and Alice (still subscribed) gets nothing of his meeting.
        await aliceSocket.DrainAsync(TimeSpan.FromSeconds(1)); // Alice's last frames (her finalized segments)
        aliceSocket.Received.Clear();
        await fixture.StartBotAsync(bob, meetId);
        await bobSocket.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.Equal("subscribed", (await bobSocket.NextAsync(f => f["type"]!.GetValue<string>() == "subscribed"))!["type"]!.GetValue<string>());
        Assert.NotNull(await bobSocket.NextAsync(f => f["type"]!.GetValue<string>() == "transcript.mutable"));
        await aliceSocket.DrainAsync(TimeSpan.FromSeconds(1.5)); // whatever reached Alice meanwhile
        var leaked = aliceSocket.Received.Where(f => f["type"]!.GetValue<string>().StartsWith("transcript.")
            || f["type"]!.GetValue<string>() == "meeting.status").ToList();
        Assert.True(leaked.Count == 0, "Alice received: " + string.Join(" ", leaked.Select(f => f.ToJsonString()[..Math.Min(200, f.ToJsonString().Length)])));
    }

    [Fact]
    public async Task Two_gateway_replicas_each_give_their_sockets_every_frame_once()
    {
        var (second, secondWs) = StartGateway();
        await using var _ = second;
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        var subscribe = new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString();
        await using var onFirst = await ConnectAsync(key);
        await using var onSecond = await ConnectAsync(key, ws: secondWs);
        await onFirst.SendAsync(subscribe);
        await onSecond.SendAsync(subscribe);

        foreach (var socket in new[] { onFirst, onSecond })
        {
            Assert.NotNull(await socket.NextAsync(f => f["type"]!.GetValue<string>() == "subscribed"));
            Assert.NotNull(await socket.NextAsync(f => f["type"]!.GetValue<string>() == "transcript.mutable"));
        }
        await onFirst.DrainAsync(TimeSpan.FromSeconds(1));
        await onSecond.DrainAsync(TimeSpan.FromMilliseconds(100));
        foreach (var socket in new[] { onFirst, onSecond })
        {
            var segments = socket.Received.Where(f => f["type"]!.GetValue<string>() == "transcript.mutable")
                .SelectMany(f => f["payload"]!["segments"]!.AsArray()).Select(seg => seg!.ToJsonString()).ToList();
            Assert.NotEmpty(segments);
            Assert.Equal(segments.Count, segments.Distinct().Count()); // no segment twice in the same state
        }
    }

    [Fact]
    public async Task After_the_upstream_socket_drops_watchers_are_told_and_frames_flow_again()
    {
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        await using var client = await ConnectAsync(key);
        await client.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.NotNull(await client.NextAsync(f => f["type"]!.GetValue<string>() == "transcript.mutable"));

        var dropped = await fixture.Wholesaler.PostAsync("/_emulator/ws/drop", null, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, dropped.StatusCode);

        var notice = await client.NextAsync(f => f["error"]?.GetValue<string>() == "upstream_reconnected");
        Assert.NotNull(notice);
        Assert.Equal(meetId, notice!["meeting"]!["native_id"]!.GetValue<string>());
        // Subscribed again upstream: the meeting's frames come again (what changes after the new subscription).
        Assert.NotNull(await client.NextAsync(f => f["type"]!.GetValue<string>() is "transcript.mutable" or "meeting.status"));
    }

    [Fact]
    public async Task A_status_frame_moves_our_meeting_without_the_wholesalers_webhooks()
    {
        var ct = TestContext.Current.CancellationToken;
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        // Vexa of September 2025 (requested, then statuses on timers), its webhooks lost: only /ws tells the news.
        // A step of 1 s: the subscribe must come before `active` (frames say what changes after it, nothing earlier).
        await fixture.PlayAsync(RetailerFixture.September2025, stepMs: 1000);
        await fixture.Wholesaler.PutAsJsonAsync("/user/webhook", new { webhook_url = "http://127.0.0.1:9/lost" }, ct);
        try
        {
            var meetingId = await fixture.StartBotAsync(user, meetId);
            await using var client = await ConnectAsync(key);
            await client.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
            var active = await client.NextAsync(f => f["type"]!.GetValue<string>() == "meeting.status"
                && f["payload"]!["status"]!.GetValue<string>() == "active");
            Assert.NotNull(active);

            string? listed = null;
            try
            {
                await RetailerFixture.WaitUntilAsync(async () =>
                {
                    var meetings = await (await fixture.AsUserAsync(fixture.Transcripts.CreateClient(), user, HttpMethod.Get, "/meetings")).JsonAsync();
                    listed = meetings["meetings"]!.AsArray().Single(m => m!["id"]!.GetValue<long>() == meetingId)!["status"]!.GetValue<string>();
                    return listed == "active";
                }, timeoutMs: 5_000);
            }
            catch (TimeoutException)
            {
            }
            Assert.Equal("active", listed);
            await using var db = fixture.NewDbContext();
            Assert.NotNull((await db.Meetings.SingleAsync(m => m.Id == meetingId, ct)).StartTime); // the frame's time
        }
        finally
        {
            await fixture.RegisterMainCallbackAsync();
            await fixture.PlayAsync(RetailerFixture.Dfc7c83e);
        }
    }

    [Fact]
    public async Task A_meeting_whose_status_cannot_be_written_yet_holds_back_no_other_meetings_frames()
    {
        var ct = TestContext.Current.CancellationToken;
        var (userA, keyA) = await UserWithKeyAsync(fixture);
        var (userB, keyB) = await UserWithKeyAsync(fixture);
        var (meetA, meetB) = (RetailerFixture.NewMeetId(), RetailerFixture.NewMeetId());
        var meetingA = await fixture.StartBotAsync(userA, meetA);
        await fixture.StartBotAsync(userB, meetB);
        await using var clientA = await ConnectAsync(keyA);
        await using var clientB = await ConnectAsync(keyB);
        await clientA.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetA)) }.ToJsonString());
        await clientB.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetB)) }.ToJsonString());
        Assert.NotNull(await clientB.NextAsync(f => f["type"]!.GetValue<string>() == "transcript.mutable"));

        // Hold meeting A's row, as a long transaction would: following A's next status must wait for it.
        await using var holder = fixture.NewDbContext();
        await using var held = await holder.Database.BeginTransactionAsync(ct);
        await holder.Database.ExecuteSqlRawAsync("SELECT 1 FROM meetings WHERE id = {0} FOR UPDATE", [meetingA], ct);
        var wholesalerIdA = (await fixture.NewDbContext().Meetings.SingleAsync(m => m.Id == meetingA, ct)).WholesalerMeetingId;
        (await fixture.Wholesaler.PostAsync($"/_emulator/meetings/{wholesalerIdA}/exit", null, ct)).EnsureSuccessStatusCode();

        // A's watcher still gets the status frame, and B's frames keep coming while A's status waits for the row.
        Assert.NotNull(await clientA.NextAsync(f => f["type"]!.GetValue<string>() == "meeting.status"));
        clientB.Received.Clear();
        await clientB.DrainAsync(TimeSpan.FromSeconds(3));
        Assert.True(clientB.Received.Count(f => f["type"]!.GetValue<string>() is "transcript.mutable" or "transcript.finalized") >= 10,
            $"meeting B got {clientB.Received.Count} frames in 3 s while meeting A's row was held");
        await held.RollbackAsync(ct);

        // Then A's status is followed.
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = fixture.NewDbContext();
            return MeetingStatus.IsFinal((await db.Meetings.SingleAsync(m => m.Id == meetingA, ct)).Status);
        });
    }

    [Fact]
    public async Task A_subscribe_that_cannot_be_checked_gets_vexas_authorization_service_error_and_the_socket_stays_open()
    {
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        var ping = """{"action":"ping"}""";
        // The key is in the shared cache, as once any replica has seen it...
        await using (var warm = await ConnectAsync(key))
        {
            await warm.SendAsync(ping);
            Assert.NotNull(await warm.NextAsync(f => f["type"]!.GetValue<string>() == "pong"));
        }
        // ...and this replica cannot reach the database.
        // (It lost the database a moment ago: it still trusts the cache, for Auth:RevocationMaxLag.)
        var (broken, ws) = StartGateway(database: "Host=127.0.0.1;Port=1;Database=vexa;Username=postgres;Timeout=1", trustCacheFor: "00:10:00");
        await using var brokenGateway = broken;
        await using var client = await ConnectAsync(key, ws: ws);

        await client.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());

        var error = await client.NextAsync(f => f["type"]!.GetValue<string>() == "error");
        Assert.NotNull(error);
        Assert.Equal("authorization_service_error", error["error"]!.GetValue<string>());
        Assert.Equal(503, error["status"]!.GetValue<int>());
        Assert.DoesNotContain(client.Received, f => f["type"]!.GetValue<string>() == "subscribed");
        await client.SendAsync(ping);
        Assert.NotNull(await client.NextAsync(f => f["type"]!.GetValue<string>() == "pong"));
    }

    [Fact]
    public async Task A_key_that_cannot_be_checked_gets_vexas_authorization_service_error_and_close_1011()
    {
        var (_, key) = await UserWithKeyAsync(fixture); // never used: not in the shared cache
        var (broken, ws) = StartGateway(database: "Host=127.0.0.1;Port=1;Database=vexa;Username=postgres;Timeout=1");
        await using var brokenGateway = broken;
        await using var client = await ConnectAsync(key, ws: ws);

        var error = await client.NextAsync(f => f["type"]!.GetValue<string>() == "error");

        Assert.NotNull(error);
        Assert.Equal("authorization_service_error", error["error"]!.GetValue<string>());
        Assert.Equal(503, error["status"]!.GetValue<int>());
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await client.ClosedAsync());
    }

    [Fact]
    public async Task A_clients_close_is_answered_with_its_code()
    {
        var ct = TestContext.Current.CancellationToken;
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", key);
        await socket.ConnectAsync(new Uri(_ws), ct);
        var subscribe = new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString();
        await socket.SendAsync(Encoding.UTF8.GetBytes(subscribe), WebSocketMessageType.Text, true, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        // CloseAsync sends the close and reads (dropping frames still on their way) until the gateway answers it: a browser
        // whose close is not answered reports 1006, an abnormal closure.
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task The_readmes_browser_client_gets_its_meetings_frames_and_a_clean_close()
    {
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        // The JavaScript of docs/live-transcripts.md: the key in ?api_key= (a browser cannot set headers on a WebSocket), subscribe on open;
        // then, with the subscription answered and a frame of the meeting in, a normal close.
        var seen = await page.EvaluateAsync<JsonElement>("""
            ([url, nativeId]) => new Promise((resolve, reject) => {
              const types = [];
              const ws = new WebSocket(url);
              ws.onopen = () => ws.send(JSON.stringify({action: "subscribe", meetings: [{platform: "google_meet", native_id: nativeId}]}));
              ws.onmessage = (e) => {
                const frame = JSON.parse(e.data);
                types.push(frame.type + (frame.meeting ? ":" + frame.meeting.native_id : ""));
                if (types.includes("subscribed") && types.length > 1) ws.close(1000, "done");
              };
              ws.onclose = (e) => resolve({types, code: e.code, clean: e.wasClean});
              setTimeout(() => reject(new Error("no frame of the meeting within 30 s: " + types.join(", "))), 30000);
            })
            """, new[] { _ws + "?api_key=" + key, meetId });
        var types = seen.GetProperty("types").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Single(types, "subscribed");
        Assert.All(types.Where(t => t != "subscribed"), t => Assert.EndsWith(":" + meetId, t, StringComparison.Ordinal));
        Assert.Equal(1000, seen.GetProperty("code").GetInt32());
        Assert.True(seen.GetProperty("clean").GetBoolean(), "the close was not answered");
    }

    [Fact]
    public async Task A_stopping_gateway_closes_its_sockets_with_1001_so_that_clients_connect_again()
    {
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        var (gateway, ws) = StartGateway();
        await using var stopped = gateway;
        await using var client = await ConnectAsync(key, ws: ws);
        await client.SendAsync(new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString());
        Assert.NotNull(await client.NextAsync(f => f["type"]!.GetValue<string>() == "subscribed"));

        var stopping = gateway.DisposeAsync().AsTask();
        Assert.Equal(1001, (int?)await client.ClosedAsync());
        await stopping;
    }

    [Fact]
    public async Task A_key_deleted_or_expired_while_its_socket_is_open_has_it_closed_with_4401()
    {
        var (gateway, ws) = StartGateway(keyCheckSeconds: 1);
        await using var checking = gateway;
        using var closes = LiveClosed(gateway);
        var (user, kept) = await UserWithKeyAsync(fixture);
        var deleted = await KeyOfAsync(user);
        var expiring = await KeyOfAsync(user, expiresAt: DateTime.UtcNow.AddSeconds(3));
        await using var keptSocket = await ConnectAsync(kept, ws: ws);
        await using var deletedSocket = await ConnectAsync(deleted, ws: ws);
        await using var expiringSocket = await ConnectAsync(expiring, ws: ws);
        Assert.True(await AnswersPingAsync(keptSocket) && await AnswersPingAsync(deletedSocket) && await AnswersPingAsync(expiringSocket));

        await using (var db = fixture.NewDbContext())
        {
            var hash = ApiKeyHash.Compute(deleted);
            await db.ApiTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }
        Assert.Equal(4401, (int?)await deletedSocket.ClosedAsync());
        Assert.Equal(4401, (int?)await expiringSocket.ClosedAsync());
        Assert.True(await AnswersPingAsync(keptSocket), "a socket of a key still valid stays open");
        // Counted as each socket's run ends, which may be just after its client saw the close.
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(Sum(closes, "key_withdrawn") >= 2), timeoutMs: 5_000);
        Assert.Equal(2, Sum(closes, "key_withdrawn"));
    }

    [Fact]
    public async Task A_client_gone_without_a_close_is_found_by_the_keep_alive_and_frees_its_place()
    {
        var (gateway, ws) = StartGateway(maxSocketsPerKey: 1, keepAliveSeconds: 1);
        await using var limited = gateway;
        using var closes = LiveClosed(gateway);
        var (_, key) = await UserWithKeyAsync(fixture);
        // A client that answers nothing, as one whose network went away: it never reads (so no pong answers the gateway's
        // pings) and sends no keep-alive of its own.
        using var gone = new ClientWebSocket();
        gone.Options.SetRequestHeader("X-API-Key", key);
        gone.Options.KeepAliveInterval = TimeSpan.Zero;
        await gone.ConnectAsync(new Uri(ws), TestContext.Current.CancellationToken);
        // The upgrade is answered before the key is checked: the place is taken once the gateway tracks the socket.
        var connections = gateway.Services.GetRequiredService<LiveConnections>();
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(connections.Sockets.Count == 1));

        Assert.True(await GetsInAsync(key, ws, TimeSpan.FromSeconds(15)), "the key's place was still held 15 s after its client went silent");
        Assert.True(Sum(closes, "too_many_sockets") > 0, "the place was free at once: the test saw nothing of the keep-alive");
    }

    [Fact]
    public async Task One_key_holds_at_most_its_sockets_and_a_closed_one_makes_room()
    {
        var (gateway, ws) = StartGateway(maxSocketsPerKey: 2);
        await using var limited = gateway;
        using var closes = LiveClosed(gateway);
        var (user, key) = await UserWithKeyAsync(fixture);
        var (_, otherUsersKey) = await UserWithKeyAsync(fixture);
        var sameUsersOtherKey = await KeyOfAsync(user);

        var first = await ConnectAsync(key, ws: ws);
        await using var second = await ConnectAsync(key, ws: ws);
        Assert.True(await AnswersPingAsync(first) && await AnswersPingAsync(second));
        await using (var third = await ConnectAsync(key, ws: ws))
        {
            Assert.Equal("too_many_connections", (await third.NextAsync())!["error"]!.GetValue<string>());
            Assert.Equal(4429, (int)(await third.ClosedAsync())!);
        }
        Assert.Equal(1, Sum(closes, "too_many_sockets"));
        foreach (var other in new[] { otherUsersKey, sameUsersOtherKey })
        {
            await using var socket = await ConnectAsync(other, ws: ws);
            Assert.True(await AnswersPingAsync(socket), "another key (another user's, or the same user's) has places of its own");
        }
        Assert.True(await AnswersPingAsync(second), "the refusal closed only the socket over the limit");

        // A socket closed makes room, once the gateway has seen the close.
        await first.DisposeAsync();
        Assert.True(await GetsInAsync(key, ws, TimeSpan.FromSeconds(10)), "no room 10 s after a socket was closed");
    }

    /// <summary>Whether a socket of <paramref name="key"/> is taken (answers a ping) within <paramref name="within"/>,
    /// trying again every 250 ms while it is refused.</summary>
    private async Task<bool> GetsInAsync(string key, string ws, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            await using (var socket = await ConnectAsync(key, ws: ws))
            {
                if (await AnswersPingAsync(socket))
                {
                    return true;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<bool> AnswersPingAsync(LiveClient client)
    {
        await client.SendAsync("""{"action":"ping"}""");
        return (await client.NextAsync())?["type"]?.GetValue<string>() == "pong";
    }

    private static MetricCollector<long> LiveClosed(ServiceFactory<GatewayMarker> gateway) =>
        new(gateway.Services.GetRequiredService<IMeterFactory>(), VexaMetrics.MeterName, "vexa.gateway.live_closed");

    private static long Sum(MetricCollector<long> closes, string reason) =>
        closes.GetMeasurementSnapshot().Where(m => Equals(m.Tags.GetValueOrDefault("reason"), reason)).Sum(m => m.Value);

    /// <summary>A client that does not read: a 1 KB receive buffer and a 4 KB kernel receive buffer (the gateway sends as
    /// fast as the network takes, so a client's queue fills only when the network holds no more; on loopback the
    /// default buffers would hold megabytes of pongs).</summary>
    private sealed class Sleeper : IDisposable
    {
        private readonly SocketsHttpHandler _handler = new()
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };

        public ClientWebSocket Socket { get; } = new();

        public static async Task<Sleeper> ConnectAsync(string ws, string key)
        {
            var sleeper = new Sleeper();
            sleeper.Socket.Options.SetRequestHeader("X-API-Key", key);
            sleeper.Socket.Options.SetBuffer(1024, 1024);
            using var invoker = new HttpMessageInvoker(sleeper._handler, disposeHandler: false);
            await sleeper.Socket.ConnectAsync(new Uri(ws), invoker, TestContext.Current.CancellationToken);
            return sleeper;
        }

        public Task SendAsync(string text) =>
            Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

        /// <summary>Asks for large answers until the gateway has decided to close this client (its queue full), or until
        /// a send has waited 2 s, then waits up to 20 s for that decision (requests sent are still answered). Each request
        /// is an unsubscribe of about 50 KB of meetings, answered with the same list: the kernel's buffers on loopback
        /// hold megabytes (a flood of 200,000 pongs once fitted), and frames this size fill them in a few hundred
        /// requests. A send is never cancelled: that would abort the socket, and the close frame with it.</summary>
        public async Task FloodAsync(MetricCollector<long> closes)
        {
            var ct = TestContext.Current.CancellationToken;
            var meetings = new JsonArray([.. Enumerable.Range(0, 100).Select(i => Meeting($"{i:D3}-{new string('x', 480)}"))]);
            var request = Encoding.UTF8.GetBytes(new JsonObject { ["action"] = "unsubscribe", ["meetings"] = meetings }.ToJsonString());
            for (var i = 0; i < 20_000 && Sum(closes, "too_slow") == 0; i++)
            {
                var send = Socket.SendAsync(request, WebSocketMessageType.Text, true, ct);
                if (await Task.WhenAny(send, Task.Delay(2000, ct)) != send || send.IsFaulted)
                {
                    break;
                }
            }
            for (var i = 0; i < 200 && Sum(closes, "too_slow") == 0; i++)
            {
                await Task.Delay(100, ct);
            }
        }

        public void Dispose()
        {
            Socket.Dispose();
            _handler.Dispose();
        }
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_closed_and_the_others_continue()
    {
        var ct = TestContext.Current.CancellationToken;
        var (user, key) = await UserWithKeyAsync(fixture);
        var meetId = RetailerFixture.NewMeetId();
        await fixture.StartBotAsync(user, meetId);
        var subscribe = new JsonObject { ["action"] = "subscribe", ["meetings"] = new JsonArray(Meeting(meetId)) }.ToJsonString();
        await using var reader = await ConnectAsync(key);
        await reader.SendAsync(subscribe);
        using var sleeper = await Sleeper.ConnectAsync(_ws, key);
        await sleeper.SendAsync(subscribe);
        await Task.Delay(300, ct);
        using var closes = LiveClosed(_gateway);
        await sleeper.FloodAsync(closes);
        Assert.Equal(1, Sum(closes, "too_slow"));
        var buffer = new byte[64 * 1024];
        WebSocketCloseStatus? closed = null;
        // Bounded as a whole: a gateway that never closes the sleeper must fail this test, not hang the run.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        while (closed is null)
        {
            try
            {
                var result = await sleeper.Socket.ReceiveAsync(buffer, deadline.Token);
                closed = result.MessageType == WebSocketMessageType.Close ? result.CloseStatus : null;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                break;
            }
        }
        Assert.Equal(4429, (int?)closed ?? (int?)sleeper.Socket.CloseStatus);
        // The reader was never held up: it keeps getting frames.
        reader.Received.Clear();
        Assert.NotNull(await reader.NextAsync(f => f["type"]!.GetValue<string>() is "transcript.mutable" or "subscribed" or "meeting.status"));
    }

    [Fact]
    public async Task A_client_that_never_reads_again_is_cut_off_and_frees_its_place()
    {
        var (gateway, ws) = StartGateway(maxSocketsPerKey: 1);
        await using var limited = gateway;
        using var closes = LiveClosed(gateway);
        var (_, key) = await UserWithKeyAsync(fixture);
        using var sleeper = await Sleeper.ConnectAsync(ws, key);
        await sleeper.FloodAsync(closes);
        Assert.Equal(1, Sum(closes, "too_slow"));

        // It neither reads the close (the gateway's send of it waits on the full network) nor sends anything more; the
        // gateway cuts it off (5 s after deciding), and the key's one place is free again.
        Assert.True(await GetsInAsync(key, ws, TimeSpan.FromSeconds(15)), "the key's place was still held 15 s after its socket was closed for being slow");
        Assert.True(Sum(closes, "too_many_sockets") > 0, "the place was free at once: the test saw nothing of the cut-off");
    }
}
