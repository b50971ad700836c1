using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VexaService.Gateway;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Wholesaler;
using VexaService.Testing;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// A native id passes from user B's meeting to user C's while B's last frames are still on their way: Vexa's frames carry
/// no meeting id, so they look like C's. Here the Wholesaler is a stand-in whose <c>/ws</c> frames the test sends by hand
/// (the emulator never sends a frame late), and whose answer about C's meeting the test sets.
/// </summary>
public sealed class LiveHandoverTests : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _upstreamReceived = new();
    private WebSocket? _upstream;
    private volatile string _csStatusAtTheWholesaler = "active";
    private Microsoft.AspNetCore.Builder.WebApplication? _wholesaler;

    private const long CsWholesalerId = 4_000_001;

    private async Task<string> StartWholesalerAsync(string nativeId)
    {
        var (app, address) = await Loopback.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/ws", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                _upstream = socket;
                var buffer = new byte[64 * 1024];
                while (socket.State == WebSocketState.Open)
                {
                    var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (read.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    _upstreamReceived.Enqueue(Encoding.UTF8.GetString(buffer, 0, read.Count));
                }
            });
            // What the Wholesaler says of C's meeting when asked (the gateway's read-back of a status frame).
            app.MapGet("/transcripts/{platform}/{native}", (string platform, string native, long meeting_id) => Results.Json(new JsonObject
            {
                ["id"] = meeting_id, ["platform"] = platform, ["native_meeting_id"] = native,
                ["status"] = meeting_id == CsWholesalerId ? _csStatusAtTheWholesaler : "completed", ["segments"] = new JsonArray(),
            }));
        });
        _wholesaler = app;
        return address;
    }

    private Task SendUpstreamAsync(JsonObject frame) =>
        _upstream!.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private static JsonObject Frame(string nativeId, string type, JsonObject payload) => new()
    {
        ["type"] = type, ["meeting"] = new JsonObject { ["platform"] = "google_meet", ["native_id"] = nativeId }, ["payload"] = payload,
        ["ts"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00:00",
    };

    private static JsonObject Segment(string text, DateTime at) => new()
    {
        ["start"] = 1.0, ["end"] = 2.0, ["text"] = text, ["speaker"] = "S",
        ["absolute_start_time"] = at.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Bs_late_frames_never_reach_c_nor_move_cs_meeting_and_cs_own_frames_do()
    {
        var ct = TestContext.Current.CancellationToken;
        await TestEnvironment.EnsureMigratedAsync();
        var nativeId = RetailerFixture.NewMeetId();
        var address = await StartWholesalerAsync(nativeId);
        var port = Loopback.FreePort();
        await using var gateway = new ServiceFactory<GatewayMarker>(new Dictionary<string, string?>
        {
            ["Live:WholesalerUrl"] = address,
            ["Wholesaler:BaseAddress"] = address,
            ["Wholesaler:SharedStateScope"] = "test-" + Guid.NewGuid().ToString("N"),
            ["services:admin-api:http:0"] = "http://127.0.0.1:9",
            ["services:bot-manager:http:0"] = "http://127.0.0.1:9",
            ["services:transcripts:http:0"] = "http://127.0.0.1:9",
        });
        gateway.UseKestrelOn(port);
        gateway.StartServer();
        var issuer = gateway.Services.GetRequiredService<WholesalerIdentity>().IssuerFor((string?)null);

        // B's meeting on the native id ended 10 s ago; C's began 2 s ago.
        var now = DateTime.UtcNow;
        var (b, c) = (await TestEnvironment.NewUserAsync("handover"), await TestEnvironment.NewUserAsync("handover"));
        await MeetingAsync(b, nativeId, MeetingStatus.Completed, 4_000_000, issuer, created: now.AddMinutes(-5), updated: now.AddSeconds(-10));
        var csMeeting = await MeetingAsync(c, nativeId, MeetingStatus.Active, CsWholesalerId, issuer, created: now.AddSeconds(-2), updated: now.AddSeconds(-2));
        var key = await TestEnvironment.NewKeyAsync(c);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", key);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), ct);
        await using var client = new LiveClient(socket);
        await client.SendAsync(new JsonObject
        {
            ["action"] = "subscribe", ["meetings"] = new JsonArray(new JsonObject { ["platform"] = "google_meet", ["native_id"] = nativeId }),
        }.ToJsonString());
        Assert.Equal("subscribed", (await client.NextAsync())!["type"]!.GetValue<string>());
        await RetailerFixture.WaitUntilAsync(() => Task.FromResult(_upstreamReceived.Any(m => m.Contains(nativeId, StringComparison.Ordinal))));

        // B's late frames: a segment said a minute ago, the finalized segments of B's session, B's end.
        await SendUpstreamAsync(Frame(nativeId, "transcript.mutable", new JsonObject { ["segments"] = new JsonArray(Segment("B's words", now.AddMinutes(-1))) }));
        await SendUpstreamAsync(Frame(nativeId, "transcript.finalized", new JsonObject
        {
            ["segments"] = new JsonArray(new JsonObject { ["start"] = 1.0, ["end"] = 2.0, ["text"] = "B's final words", ["session_uid"] = "b" }),
        }));
        await SendUpstreamAsync(Frame(nativeId, "meeting.status", new JsonObject { ["status"] = "completed" }));
        // Then a frame holding B's last segment and C's first.
        await SendUpstreamAsync(Frame(nativeId, "transcript.mutable", new JsonObject
        {
            ["segments"] = new JsonArray(Segment("B's last words", now.AddSeconds(-20)), Segment("C's first words", now.AddSeconds(1))),
        }));

        var first = await client.NextAsync(f => f["type"]!.GetValue<string>() != "pong");
        Assert.Equal("transcript.mutable", first!["type"]!.GetValue<string>());
        Assert.Equal(["C's first words"], first["payload"]!["segments"]!.AsArray().Select(s => s!["text"]!.GetValue<string>()));
        await client.DrainAsync(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(client.Received, f => f.ToJsonString().Contains("B's", StringComparison.Ordinal));
        Assert.DoesNotContain(client.Received, f => f["type"]!.GetValue<string>() == "meeting.status");
        Assert.Equal(MeetingStatus.Active, await TestEnvironment.MeetingStatusAsync(csMeeting));

        // C's own end, which the Wholesaler bears out, passes and moves C's meeting.
        _csStatusAtTheWholesaler = "completed";
        await SendUpstreamAsync(Frame(nativeId, "meeting.status", new JsonObject { ["status"] = "completed" }));
        var ended = await client.NextAsync(f => f["type"]!.GetValue<string>() == "meeting.status");
        Assert.Equal("completed", ended!["payload"]!["status"]!.GetValue<string>());
        await RetailerFixture.WaitUntilAsync(async () => await TestEnvironment.MeetingStatusAsync(csMeeting) == MeetingStatus.Completed);
    }

    private static async Task<long> MeetingAsync(long userId, string nativeId, string status, long wholesalerId, string issuer, DateTime created, DateTime updated)
    {
        await using var db = TestEnvironment.NewDbContext();
        var meeting = new Meeting
        {
            UserId = userId, Platform = "google_meet", NativeMeetingId = nativeId, Status = status, WholesalerMeetingId = wholesalerId,
            WholesalerIssuer = issuer, CreatedAt = created, UpdatedAt = updated,
        };
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();
        // The usage trigger and defaults may set times; these are the ones the test means.
        await db.Meetings.Where(m => m.Id == meeting.Id).ExecuteUpdateAsync(m => m.SetProperty(x => x.CreatedAt, created).SetProperty(x => x.UpdatedAt, updated));
        return meeting.Id;
    }

    public async ValueTask DisposeAsync()
    {
        if (_wholesaler is not null)
        {
            await _wholesaler.DisposeAsync();
        }
    }
}
