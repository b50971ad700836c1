using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Transcripts;
using VexaService.Transcripts.Webhooks;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>
/// The dispatcher on an outbox of its own (an isolated database): replicas, slow and hostile receivers, unusable URLs
/// and the order of one meeting's events.
/// </summary>
public sealed class WebhookDispatcherTests
{
    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(2);

    private static Dictionary<string, string?> Settings(IsolatedDatabase isolated) => new()
    {
        ["ConnectionStrings:vexadb"] = isolated.ConnectionString,
        ["Wholesaler:BaseAddress"] = "http://127.0.0.1:9", // not called: these tests are about deliveries only
        ["Webhooks:RetryBaseDelay"] = "00:00:00.300",
        ["Webhooks:PollInterval"] = "00:00:05", // deliveries must not wait for it: new rows wake the dispatchers
    };

    private static async Task<long> UserAsync(IsolatedDatabase isolated, string webhookUrl)
    {
        await using var db = isolated.NewDbContext();
        var user = new User { Email = TestEnvironment.UniqueEmail("dispatch"), Data = new JsonObject { ["webhook_url"] = webhookUrl }.ToJsonString() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Queues events as the outbox does (a row each, in one transaction); returns their ids in order.</summary>
    private static async Task<List<long>> QueueAsync(IsolatedDatabase isolated, params (long UserId, long MeetingId, string Key)[] events)
    {
        await using var db = isolated.NewDbContext();
        var rows = events.Select(e => new WebhookDelivery
        {
            UserId = e.UserId, MeetingId = e.MeetingId, EventKey = e.Key, Payload = $$"""{"event":"{{e.Key}}","meeting":{{e.MeetingId}}}""",
            NextAttemptAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
        }).ToList();
        db.WebhookDeliveries.AddRange(rows);
        await db.SaveChangesAsync();
        return rows.Select(r => r.Id).ToList();
    }

    private static async Task<WebhookDelivery> RowAsync(IsolatedDatabase isolated, long id)
    {
        await using var db = isolated.NewDbContext();
        return await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    private static async Task WaitSettledAsync(IsolatedDatabase isolated, IEnumerable<long> ids, int timeoutMs = 15_000)
    {
        var wanted = ids.ToList();
        await RetailerFixture.WaitUntilAsync(async () =>
        {
            await using var db = isolated.NewDbContext();
            return await db.WebhookDeliveries.CountAsync(d => wanted.Contains(d.Id) && d.Status != WebhookDeliveryStatus.Pending) == wanted.Count;
        }, timeoutMs);
    }

    [Fact]
    public async Task Two_replicas_deliver_each_event_once_and_a_slow_receiver_delays_only_its_own_user()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var slow = await WebhookReceiver.StartAsync(delay: SlowAnswer);
        await using var fast = await WebhookReceiver.StartAsync();
        await using var first = new ServiceFactory<TranscriptsMarker>(Settings(isolated));
        await using var second = new ServiceFactory<TranscriptsMarker>(Settings(isolated));
        _ = first.Server;
        _ = second.Server;
        await Task.Delay(500); // both dispatchers listening

        var slowUser = await UserAsync(isolated, slow.Url);
        var fastUsers = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            fastUsers.Add(await UserAsync(isolated, fast.Url));
        }
        var events = Enumerable.Range(0, 3).Select(i => (slowUser, 9_000L + i, "meeting.completed"))
            .Concat(fastUsers.SelectMany((u, n) => new[] { (u, 10_000L + n, "meeting.status_change:active"), (u, 10_000L + n, "meeting.completed") }))
            .ToArray();
        var ids = await QueueAsync(isolated, events);
        await WaitSettledAsync(isolated, ids);

        Assert.Equal(3, slow.Requests.Count);
        Assert.Equal(20, fast.Requests.Count);
        var all = slow.Requests.Concat(fast.Requests).ToList();
        Assert.Equal(ids.Select(WebhookSignature.WebhookId).Order(), all.Select(r => r.WebhookId!).Order()); // each once
        // Every other user's events (two each, one after the other) arrived before the slow receiver answered once.
        var firstSlowAnswer = slow.Requests.Min(r => r.At) + SlowAnswer;
        Assert.True(fast.Requests.Max(r => r.At) < firstSlowAnswer,
            $"fast deliveries ended {fast.Requests.Max(r => r.At):O}, the slow receiver first answered {firstSlowAnswer:O}");
        foreach (var id in ids)
        {
            var row = await RowAsync(isolated, id);
            Assert.Equal(WebhookDeliveryStatus.Delivered, row.Status);
            Assert.Equal(1, row.Attempts);
        }
    }

    [Fact]
    public async Task A_meetings_events_arrive_in_order_even_when_the_first_needs_a_retry()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var hook = await WebhookReceiver.StartAsync(failFirst: 1);
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(Settings(isolated));
        _ = transcripts.Server;
        var user = await UserAsync(isolated, hook.Url);
        var ids = await QueueAsync(isolated, (user, 501, "meeting.status_change:active"), (user, 501, "meeting.status_change:completed"),
            (user, 501, "meeting.completed"));
        await WaitSettledAsync(isolated, ids);

        Assert.Equal(new[] { ids[0], ids[0], ids[1], ids[2] }.Select(WebhookSignature.WebhookId), hook.Requests.Select(r => r.WebhookId));
    }

    [Fact]
    public async Task An_unusable_url_fails_at_once_and_the_rows_behind_it_are_delivered()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync();
        await using var hook = await WebhookReceiver.StartAsync();
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(Settings(isolated));
        _ = transcripts.Server;
        var broken = await UserAsync(isolated, "not a url at all");
        var fine = await UserAsync(isolated, hook.Url);
        var ids = await QueueAsync(isolated, (broken, 601, "meeting.status_change:active"), (broken, 601, "meeting.completed"),
            (fine, 602, "meeting.completed"));
        await WaitSettledAsync(isolated, ids);

        foreach (var id in ids.Take(2))
        {
            var row = await RowAsync(isolated, id);
            Assert.Equal(WebhookDeliveryStatus.Failed, row.Status);
            Assert.Equal(1, row.Attempts);
            Assert.StartsWith("unusable webhook URL", row.LastError);
        }
        Assert.Equal(WebhookDeliveryStatus.Delivered, (await RowAsync(isolated, ids[2])).Status);
        Assert.Single(hook.Requests);
    }

    [Fact]
    public async Task A_50_MiB_answer_is_not_read()
    {
        const long answer = 50L * 1024 * 1024;
        await using var isolated = await IsolatedDatabase.CreateAsync();
        using var hook = new RawAnswerReceiver(answer);
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(Settings(isolated));
        _ = transcripts.Server;
        var user = await UserAsync(isolated, hook.Url);
        var ids = await QueueAsync(isolated, (user, 701, "meeting.completed"));
        await WaitSettledAsync(isolated, ids);
        var taken = await hook.BodyBytesTakenAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookDeliveryStatus.Delivered, (await RowAsync(isolated, ids[0])).Status);
        // The sender read the status line and went away: at most what socket buffers and the client's drain hold.
        Assert.True(taken < 16L * 1024 * 1024, $"{taken:N0} bytes of the answer were taken");
    }

    /// <summary>
    /// A receiver on a bare socket (Kestrel discards writes to a connection its client closed instead of failing them,
    /// so it cannot tell how much was taken): answers 200 with a body of the given size and counts the bytes the
    /// sender's side accepted before it stopped reading (a send then blocks) or closed (a send then fails).
    /// </summary>
    private sealed class RawAnswerReceiver : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly Task<long> _serving;

        public RawAnswerReceiver(long bodyBytes)
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/hook";
            _serving = Task.Run(() => ServeAsync(bodyBytes));
        }

        public string Url { get; }

        public async Task<long> BodyBytesTakenAsync() => await _serving;

        private async Task<long> ServeAsync(long bodyBytes)
        {
            using var client = await _listener.AcceptSocketAsync();
            var request = new byte[64 * 1024];
            var seen = new System.Text.StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n"))
            {
                var read = await client.ReceiveAsync(request);
                if (read == 0)
                {
                    return 0;
                }
                seen.Append(System.Text.Encoding.ASCII.GetString(request, 0, read));
            }
            await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {bodyBytes}\r\n\r\n"));
            var piece = new byte[64 * 1024];
            long taken = 0;
            while (taken < bodyBytes)
            {
                try
                {
                    using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    taken += await client.SendAsync(piece, System.Net.Sockets.SocketFlags.None, stalled.Token);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    break; // closed by the sender, or it stopped reading
                }
            }
            return taken;
        }

        public void Dispose() => _listener.Stop();
    }
}
