// Scenario (8) of the benchmark: N client sockets on a /ws (our gateway's, or the Wholesaler's for the floor), each
// watching one meeting. Prints a line per step, then one line "LIVE_JSON {...}":
//   rss_kb_per_idle_socket  growth of --pid's RSS with every socket open and nothing subscribed, per socket
//   latency_p50_ms/p99_ms   from the frame's "ts" (when the Wholesaler published it) to its receipt here
//   frames_per_s            frames received by all sockets in the measured window
//   wrong_meeting_frames    frames naming a meeting the socket did not subscribe (another tenant's): must be 0
//   latency_p99_ms_by_second the p99 of the frames published in each second of the window: a tail left by the
//                           subscription burst shows in the first seconds, pauses (GC, scheduling) anywhere
//   client_stall_ms_by_second, client_pool_delay_ms_by_second  this client's own worst delay in each second: a thread
//                           sleeping 1 ms woke this much late (GC, the machine's scheduling), a work item queued every
//                           10 ms waited this long in its thread pool; a latency second as bad as these is the client's
// Usage: LiveBench --url ws://host/ws --tenants FILE ("<key> <native id>" lines) [--key KEY: one key for every socket]
//        [--per-tenant 5] [--seconds 20] [--settle 5] [--pid PID]
// Measuring starts --settle seconds after the last subscription, and latency counts the frames published from then on:
// each subscription's first frame carries the meeting's segments so far (a burst of up to hundreds of KB each), and
// the target is the steady flow after it.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

var settings = Arguments(args);
var url = new Uri(settings["url"]);
var perTenant = int.Parse(settings.GetValueOrDefault("per-tenant", "5"), CultureInfo.InvariantCulture);
var seconds = double.Parse(settings.GetValueOrDefault("seconds", "20"), CultureInfo.InvariantCulture);
var settle = double.Parse(settings.GetValueOrDefault("settle", "5"), CultureInfo.InvariantCulture);
var pid = settings.TryGetValue("pid", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
var tenants = File.ReadAllLines(settings["tenants"]).Select(l => l.Split(' ')).Where(l => l.Length == 2)
    .Select(l => (Key: settings.GetValueOrDefault("key", l[0]), NativeId: l[1])).ToList();

var rssBefore = Rss(pid);
var watchers = tenants.SelectMany(t => Enumerable.Range(0, perTenant).Select(_ => new Watcher(t.Key, t.NativeId))).ToList();
Console.WriteLine($"connecting {watchers.Count} sockets to {url} ({tenants.Count} tenants x {perTenant})");
using (var gate = new SemaphoreSlim(50))
{
    var connected = 0;
    await Task.WhenAll(watchers.Select(async w =>
    {
        await gate.WaitAsync();
        try
        {
            await w.ConnectAsync(url);
            if (Interlocked.Increment(ref connected) % 200 == 0)
            {
                Console.WriteLine($"  {connected} connected");
            }
        }
        finally
        {
            gate.Release();
        }
    }));
}
var open = watchers.Count(w => w.IsOpen);
await Task.Delay(TimeSpan.FromSeconds(3)); // the server settles its per-socket state
var rssIdle = Rss(pid);
Console.WriteLine($"{open} open; RSS of {pid?.ToString(CultureInfo.InvariantCulture) ?? "-"}: {rssBefore} kB before, {rssIdle} kB with the sockets idle");

var receiving = watchers.Where(w => w.IsOpen).Select(w => w.ReceiveAsync()).ToList();
foreach (var w in watchers.Where(w => w.IsOpen))
{
    await w.SubscribeAsync();
}
var subscribedBy = DateTime.UtcNow.AddSeconds(30);
while (watchers.Count(w => w.Subscribed) < open && DateTime.UtcNow < subscribedBy)
{
    Console.WriteLine($"  waiting for subscriptions: {watchers.Count(w => w.Subscribed)}/{open}");
    await Task.Delay(1000);
}
Console.WriteLine($"{watchers.Count(w => w.Subscribed)} subscribed; settling for {settle} s, then measuring for {seconds} s");
await Task.Delay(TimeSpan.FromSeconds(settle));
// This client's own pauses are not what is measured: no blocking full GC while measuring (its heap holds 1,000 sockets).
GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
Watcher.PublishedFrom = DateTime.UtcNow;
Watcher.Measuring = true;
Console.WriteLine($"measuring frames published from {Watcher.PublishedFrom:HH:mm:ss.fff} UTC");
var clock = Stopwatch.StartNew();
var stalls = new Stalls(seconds);
await Task.Delay(TimeSpan.FromSeconds(seconds));
Watcher.Measuring = false;
stalls.Stop();
var elapsed = clock.Elapsed.TotalSeconds;
var rssBusy = Rss(pid);

foreach (var w in watchers)
{
    await w.CloseAsync();
}
await Task.WhenAny(Task.WhenAll(receiving), Task.Delay(TimeSpan.FromSeconds(10)));

var latencies = watchers.SelectMany(w => w.Timed).Select(t => t.Latency).Order().ToArray();
double Percentile(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
var frames = watchers.Sum(w => w.Frames);
var bySecond = new JsonArray([.. watchers.SelectMany(w => w.Timed)
    .GroupBy(t => (int)(t.Published - Watcher.PublishedFrom).TotalSeconds).OrderBy(g => g.Key)
    .Select(g =>
    {
        var second = g.Select(t => t.Latency).Order().ToArray();
        return (JsonNode)Math.Round(second[Math.Min(second.Length - 1, (int)(0.99 * second.Length))], 1);
    })]);
var result = new JsonObject
{
    ["sockets"] = watchers.Count,
    ["open"] = open,
    ["subscribed"] = watchers.Count(w => w.Subscribed),
    ["closed_by_server"] = watchers.Count(w => w.ClosedByServer),
    ["seconds"] = Math.Round(elapsed, 2),
    ["settle_seconds"] = settle,
    ["frames"] = frames,
    ["frames_per_s"] = Math.Round(frames / elapsed, 1),
    ["latency_p50_ms"] = Math.Round(Percentile(0.50), 2),
    ["latency_p99_ms"] = Math.Round(Percentile(0.99), 2),
    ["latency_max_ms"] = latencies.Length == 0 ? null : Math.Round(latencies[^1], 2),
    ["latency_p99_ms_by_second"] = bySecond,
    ["client_stall_ms_by_second"] = new JsonArray([.. stalls.ThreadMs.Select(v => (JsonNode)Math.Round(v, 1))]),
    ["client_pool_delay_ms_by_second"] = new JsonArray([.. stalls.PoolMs.Select(v => (JsonNode)Math.Round(v, 1))]),
    ["wrong_meeting_frames"] = watchers.Sum(w => w.WrongMeeting),
    ["error_frames"] = watchers.Sum(w => w.Errors),
    ["rss_before_kb"] = rssBefore,
    ["rss_idle_kb"] = rssIdle,
    ["rss_busy_kb"] = rssBusy,
    ["rss_kb_per_idle_socket"] = open == 0 ? null : Math.Round((rssIdle - rssBefore) / (double)open, 1),
};
Console.WriteLine("LIVE_JSON " + result.ToJsonString());
return 0;

static Dictionary<string, string> Arguments(string[] args)
{
    var settings = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        settings[args[i].TrimStart('-')] = args[i + 1];
    }
    return settings;
}

static long Rss(int? pid)
{
    if (pid is null)
    {
        return 0;
    }
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>One client socket watching one meeting; what it received while measuring.</summary>
sealed class Watcher(string key, string nativeId)
{
    public static volatile bool Measuring;
    public static DateTime PublishedFrom;

    private readonly ClientWebSocket _socket = new();

    public bool IsOpen => _socket.State == WebSocketState.Open;
    public bool Subscribed { get; private set; }
    public bool ClosedByServer { get; private set; }
    public long Frames;
    public long WrongMeeting;
    public long Errors;
    /// <summary>When each measured frame was published, and how long after that it arrived (ms).</summary>
    public ConcurrentBag<(DateTime Published, double Latency)> Timed { get; } = [];

    public async Task ConnectAsync(Uri url)
    {
        _socket.Options.SetRequestHeader("X-API-Key", key);
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await _socket.ConnectAsync(url, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException)
        {
            Console.WriteLine($"  connect failed: {e.Message}");
        }
    }

    /// <summary>Sends the subscribe; a socket the server closed meanwhile stays unsubscribed (counted, not a crash).</summary>
    public async Task SubscribeAsync()
    {
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(
                $$"""{"action":"subscribe","meetings":[{"platform":"google_meet","native_id":"{{nativeId}}"}]}"""),
                WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            Console.WriteLine($"  subscribe failed: {e.Message}");
        }
    }

    public async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024]; // a longer frame is put together in the stream below
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClosedByServer = !_closing;
                    return;
                }
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    Take(message.GetBuffer().AsSpan(0, (int)message.Length), DateTime.UtcNow);
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            ClosedByServer = !_closing;
        }
    }

    private bool _closing;

    public async Task CloseAsync()
    {
        _closing = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // Reads only type, meeting.native_id and ts, without building the frame: with 1,000 sockets on two cores shared with
    // the servers, building every frame (JsonNode) made this client's own queue part of the latency it measures.
    private void Take(ReadOnlySpan<byte> utf8, DateTime received)
    {
        string? type = null, meeting = null, ts = null;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("ts"u8) ? 2 : reader.ValueTextEquals("meeting"u8) ? 3 : 0;
                reader.Read();
                if (property == 1 && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else if (property == 2 && reader.TokenType == JsonTokenType.String)
                {
                    ts = reader.GetString();
                }
                else if (property == 3 && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isNativeId = reader.ValueTextEquals("native_id"u8);
                        reader.Read();
                        if (isNativeId && reader.TokenType == JsonTokenType.String)
                        {
                            meeting = reader.GetString();
                        }
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return;
        }
        if (type == "subscribed")
        {
            Subscribed = true;
            return;
        }
        if (!Measuring)
        {
            return;
        }
        if (type == "error")
        {
            Interlocked.Increment(ref Errors);
            return;
        }
        Interlocked.Increment(ref Frames);
        if (meeting != nativeId)
        {
            Interlocked.Increment(ref WrongMeeting);
        }
        if (ts is not null && DateTime.TryParse(ts, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var published) && published >= PublishedFrom)
        {
            Timed.Add((published, (received - published).TotalMilliseconds));
        }
    }
}

/// <summary>This client's own delays while measuring, worst per second: the latency it reports includes them.</summary>
sealed class Stalls
{
    private readonly double[] _thread, _pool;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _stopped;

    public Stalls(double seconds)
    {
        _thread = new double[(int)Math.Ceiling(seconds) + 1];
        _pool = new double[_thread.Length];
        new Thread(() =>
        {
            while (!_stopped)
            {
                var before = _clock.Elapsed.TotalMilliseconds;
                Thread.Sleep(1);
                Note(_thread, before, _clock.Elapsed.TotalMilliseconds - before - 1);
            }
        }) { IsBackground = true }.Start();
        new Thread(() =>
        {
            while (!_stopped)
            {
                var queued = _clock.Elapsed.TotalMilliseconds;
                ThreadPool.UnsafeQueueUserWorkItem(_ => Note(_pool, queued, _clock.Elapsed.TotalMilliseconds - queued), null);
                Thread.Sleep(10);
            }
        }) { IsBackground = true }.Start();
    }

    public IEnumerable<double> ThreadMs => _thread;

    public IEnumerable<double> PoolMs => _pool;

    public void Stop() => _stopped = true;

    private void Note(double[] worst, double atMs, double delayMs)
    {
        var second = (int)(atMs / 1000);
        if (second < worst.Length)
        {
            lock (worst)
            {
                worst[second] = Math.Max(worst[second], delayMs);
            }
        }
    }
}
