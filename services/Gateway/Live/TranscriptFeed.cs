using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Observability;
using VexaService.Wholesaler;

namespace VexaService.Gateway.Live;

/// <summary>
/// The deployment's one follower of every live meeting's transcript into our copy (<see cref="SegmentStore"/>), so that
/// live transcripts are read without calling the Wholesaler. One gateway replica at a time (a PostgreSQL advisory lock)
/// holds every live meeting it maps on this replica's upstream socket (<see cref="LiveRouter.FeedAsync"/>), the same
/// subscription that relays the meeting to our users' sockets; its frames are written by <see cref="LiveSegments"/>.
/// <para>
/// Our copy of a meeting is <em>whole</em> once the subscription is confirmed and what came before it is read over REST
/// (not needed while the bot is not yet in the meeting: nothing has been said to it). The feed then marks the meeting
/// with its run's epoch (<see cref="Meeting.TranscriptFed"/>) and publishes the epoch in Redis
/// (<see cref="RedisKeys.WholesalerTranscriptFeed"/>) every tick while the socket is open. Readers trust our copy only
/// while the two match: a new socket (frames may have been missed), a new leadership term, or a stopped feed changes or
/// withdraws the epoch, and a meeting whose frame could not be written loses its mark; each such meeting is caught up
/// over REST again, one call each, within the Wholesaler budget as bookkeeping.
/// </para>
/// </summary>
public sealed class TranscriptFeed(
    LiveRouter router, LiveUpstream upstream, LiveSegments segments, IServiceScopeFactory scopes, IConnectionMultiplexer redis,
    IOptions<LiveOptions> options, IOptions<WholesalerOptions> wholesaler, VexaMetrics metrics, ILogger<TranscriptFeed> logger)
    : BackgroundService
{
    /// <summary>The PostgreSQL advisory lock held by the replica that feeds (one at a time).</summary>
    public const long AdvisoryLockKey = 0x7665_7861_6664; // "vexafd"

    /// <summary>How long a published epoch lives without the leader's next tick.</summary>
    public static readonly TimeSpan EpochKept = TimeSpan.FromSeconds(5);

    private readonly string _scope = wholesaler.Value.RedisScope();
    private readonly string _epochKey = RedisKeys.WholesalerTranscriptFeed(wholesaler.Value.RedisScope());
    private readonly string _replica = Guid.NewGuid().ToString("N")[..12];
    // The meetings fed in this term, by (platform, native id): the meeting, and how many frames of it LiveSegments had lost
    // when last looked (a new loss clears its mark).
    private readonly Dictionary<(string Platform, string NativeId), (long MeetingId, int Misses)> _fed = [];
    private readonly HashSet<long> _queued = [];
    private readonly ConcurrentDictionary<long, Ask> _asks = new(); // by meeting id (ReadersAsync)
    private int _term;

    /// <summary>Whether this replica is the feed now.</summary>
    public bool IsLeading { get; private set; }

    /// <summary>The epoch this replica publishes now, or null.</summary>
    public string? Epoch => IsLeading && upstream.IsOpen ? $"{_replica}:{_term}:{upstream.Connection}" : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Feed)
        {
            return;
        }
        var interval = TimeSpan.FromMilliseconds(options.Value.FeedIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LeadAsync(interval, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The live transcript feed stopped ({Error}); it starts again", e.GetBaseException().Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Feeds while this replica holds the lock (on a connection of its own, held as long).</summary>
    private async Task LeadAsync(TimeSpan interval, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({AdvisoryLockKey}) AS \"Value\"").SingleAsync(ct))
            {
                return;
            }
            _term++;
            IsLeading = true;
            logger.LogInformation("This replica follows every live meeting's transcript into our copy");
            var catchUps = Channel.CreateUnbounded<(string Platform, string NativeId, long MeetingId)>();
            using var term = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var catchingUp = Task.Run(() => CatchUpAsync(catchUps.Reader, term.Token), CancellationToken.None);
            try
            {
                using var timer = new PeriodicTimer(interval);
                do
                {
                    await TickAsync(db, catchUps.Writer, ct);
                }
                while (await timer.WaitForNextTickAsync(ct));
            }
            finally
            {
                IsLeading = false;
                catchUps.Writer.TryComplete();
                await term.CancelAsync();
                await catchingUp;
                await redis.TryAsync(r => r.KeyDeleteAsync(_epochKey), logger, "Could not withdraw the transcript feed's epoch");
                foreach (var (platform, nativeId) in _fed.Keys)
                {
                    router.Unfeed(platform, nativeId);
                }
                _fed.Clear();
                _asks.Clear();
                lock (_queued)
                {
                    _queued.Clear();
                }
            }
        }
        finally
        {
            // Closing the connection releases the lock too, if the unlock cannot be sent.
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Publishes the epoch, feeds the live meetings, and catches up those whose copy is not whole.</summary>
    private async Task TickAsync(VexaDbContext db, ChannelWriter<(string, string, long)> catchUps, CancellationToken ct)
    {
        var epoch = Epoch;
        if (epoch is null)
        {
            // Readers must not trust a copy that nothing is writing.
            await redis.TryAsync(r => r.KeyDeleteAsync(_epochKey), logger, "Could not withdraw the transcript feed's epoch");
        }
        else
        {
            await redis.TryAsync(r => r.StringSetAsync(_epochKey, epoch, EpochKept), logger, "Could not publish the transcript feed's epoch");
        }
        var missed = _fed.Where(f => segments.Misses(f.Key.Platform, f.Key.NativeId) != f.Value.Misses).ToList();
        var missedIds = missed.Select(f => f.Value.MeetingId).ToList();
        if (missedIds.Count > 0)
        {
            await db.Meetings.Where(m => missedIds.Contains(m.Id)).ExecuteUpdateAsync(m => m.SetProperty(x => x.TranscriptFed, (string?)null), ct);
            foreach (var (key, fed) in missed)
            {
                _fed[key] = fed with { Misses = segments.Misses(key.Platform, key.NativeId) };
            }
        }
        if (upstream.Issuer is not { } issuer)
        {
            return; // not connected yet: which Wholesaler's meetings are ours to feed is not known
        }
        var live = await db.Meetings.AsNoTracking()
            .Where(m => m.WholesalerMeetingId != null && !MeetingStatus.Final.Contains(m.Status) && m.WholesalerIssuer == issuer)
            .Select(m => new { m.Id, m.Platform, m.NativeMeetingId, m.TranscriptFed, m.CreatedAt })
            .ToListAsync(ct);
        // One meeting per native id (the newest), as the Wholesaler's channels are.
        var now = live.GroupBy(m => (m.Platform, m.NativeMeetingId)).Select(g => g.MaxBy(m => m.Id)!).ToList();
        foreach (var (platform, nativeId) in _fed.Keys.Except(now.Select(m => (m.Platform, m.NativeMeetingId))).ToList())
        {
            _asks.TryRemove(_fed[(platform, nativeId)].MeetingId, out _);
            _fed.Remove((platform, nativeId));
            router.Unfeed(platform, nativeId);
        }
        foreach (var meeting in now)
        {
            var key = (meeting.Platform, meeting.NativeMeetingId);
            if (!_fed.TryGetValue(key, out var fed) || fed.MeetingId != meeting.Id)
            {
                _fed[key] = (meeting.Id, segments.Misses(meeting.Platform, meeting.NativeMeetingId));
                await router.FeedAsync(meeting.Platform, meeting.NativeMeetingId);
                // A subscription older than the meeting may be on the meeting before it (0.12 channels follow rows).
                await upstream.RenewIfOlderAsync(meeting.Platform, meeting.NativeMeetingId, meeting.CreatedAt);
            }
            if (epoch is not null && meeting.TranscriptFed != epoch && !missedIds.Contains(meeting.Id))
            {
                bool queue;
                lock (_queued)
                {
                    queue = _queued.Add(meeting.Id);
                }
                if (queue)
                {
                    catchUps.TryWrite((meeting.Platform, meeting.NativeMeetingId, meeting.Id));
                }
            }
        }
    }

    /// <summary>One meeting after another: confirmed subscribed, read over REST, marked whole under the epoch.</summary>
    private async Task CatchUpAsync(ChannelReader<(string Platform, string NativeId, long MeetingId)> queue, CancellationToken ct)
    {
        try
        {
            await foreach (var (platform, nativeId, meetingId) in queue.ReadAllAsync(ct))
            {
                try
                {
                    using (WholesalerPriority.Background())
                    {
                        await CatchUpAsync(platform, nativeId, meetingId, ct);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Tried again at the next tick.
                    logger.LogDebug("Meeting {MeetingId}'s transcript not caught up yet: {Error}", meetingId, e.GetBaseException().Message);
                }
                finally
                {
                    lock (_queued)
                    {
                        _queued.Remove(meetingId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the term ended
        }
    }

    private async Task CatchUpAsync(string platform, string nativeId, long meetingId, CancellationToken ct)
    {
        await upstream.SubscribedAsync(platform, nativeId).WaitAsync(TimeSpan.FromSeconds(10), ct);
        var epoch = Epoch;
        var misses = segments.Misses(platform, nativeId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VexaDbContext>();
        var meeting = await db.Meetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId, ct);
        if (epoch is null || meeting is not { WholesalerMeetingId: { } wholesalerId } || !MeetingStatus.IsLive(meeting.Status))
        {
            return;
        }
        var inMeeting = !NotInTheMeetingYet(meeting.Status);
        var readers = inMeeting ? await ReadersAsync(platform, nativeId, meetingId, epoch, misses) : Readers.None;
        if (readers == Readers.Waiting)
        {
            return; // asked again at the next tick
        }
        if (inMeeting && readers != Readers.Answered)
        {
            var answer = await scope.ServiceProvider.GetRequiredService<WholesalerClient>().GetTranscriptAsync(platform, nativeId, wholesalerId, ct);
            if (!answer.IsSuccess || answer.Issuer != meeting.WholesalerIssuer || answer.Body is not JsonObject body
                || WholesalerMeetingJson.Id(body) != wholesalerId)
            {
                logger.LogDebug("Meeting {MeetingId}'s transcript not caught up: the Wholesaler answered {Status}", meetingId, answer.Status);
                return;
            }
            var ours = WholesalerSegmentsJson.Identified(body["segments"] as JsonArray ?? [], WholesalerMeetingJson.Start(body, meeting));
            await scope.ServiceProvider.GetRequiredService<SegmentStore>().SaveAsync(meeting, ours, final: false, ct);
            segments.Forget(platform, nativeId); // what it wrote may be older than a frame written before
            metrics.FeedSegments(ours.Count, "caught_up");
        }
        // Whole only if nothing was missed meanwhile and the socket is the one whose frames were applied.
        if (Epoch != epoch || segments.Misses(platform, nativeId) != misses)
        {
            return;
        }
        await db.Meetings.Where(m => m.Id == meetingId && m.TranscriptStoredAt == null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.TranscriptFed, epoch), ct);
        _asks.TryRemove(meetingId, out _);
        metrics.FeedCatchUp(readers == Readers.Answered ? "readers" : inMeeting ? "call" : "subscription");
    }

    private enum Readers { None, Waiting, Answered }

    /// <summary>An ask of a meeting's readers: its token, and the epoch and lost frames when it was made.</summary>
    private sealed record Ask(string Token, string Epoch, int Misses, long At);

    /// <summary>How long the feed waits for a meeting's readers to make its copy whole before it calls itself.</summary>
    public static readonly TimeSpan ReadersWait = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A meeting users read is fetched over REST by their reads anyway, at most once a second (Transcripts): one such
    /// fetch that began after the subscription was confirmed makes the copy whole, as the feed's own call would. So the
    /// feed asks them (<see cref="RedisKeys.WholesalerTranscriptFeedAsk"/>, set after the confirmation) and calls the Wholesaler
    /// itself only when nobody answers within <see cref="ReadersWait"/>. When 200 tenants poll their live transcripts, their
    /// reads spend the whole call budget and a catch-up, which leaves half of it to users, would never be made: each
    /// meeting would then cost a call a second for as long as it lasts.
    /// </summary>
    /// <param name="misses">The frames of the meeting lost so far: an ask made before a loss since is no answer.</param>
    private async Task<Readers> ReadersAsync(string platform, string nativeId, long meetingId, string epoch, int misses)
    {
        if (_asks.TryGetValue(meetingId, out var ask) && ask.Epoch == epoch && ask.Misses == misses)
        {
            var answered = await redis.TryAsync(r => r.StringGetAsync(RedisKeys.WholesalerTranscriptFeedAnswered(_scope, meetingId)), logger,
                "Could not read whether a reader made the copy whole");
            if (answered == ask.Token)
            {
                segments.Forget(platform, nativeId); // what it wrote may be older than a frame written before
                return Readers.Answered;
            }
            return Stopwatch.GetElapsedTime(ask.At) < ReadersWait ? Readers.Waiting : Readers.None;
        }
        if (!await redis.TryAsync(r => r.KeyExistsAsync(RedisKeys.TranscriptLive(meetingId)), logger, "Could not tell whether users read the meeting"))
        {
            return Readers.None; // nobody read it lately (or Redis cannot say)
        }
        var token = RandomTokens.New();
        if (!await redis.TryAsync(r => r.StringSetAsync(RedisKeys.WholesalerTranscriptFeedAsk(_scope, meetingId), token, RedisKeys.WholesalerTranscriptFeedAskLifetime),
                logger, "Could not ask a meeting's readers to make the copy whole"))
        {
            return Readers.None;
        }
        _asks[meetingId] = new Ask(token, epoch, misses, Stopwatch.GetTimestamp());
        return Readers.Waiting;
    }

    /// <summary>A bot on its way in or waiting in the lobby has heard nothing yet: its transcript starts on the
    /// subscription, which is confirmed.</summary>
    private static bool NotInTheMeetingYet(string status) =>
        status is MeetingStatus.Requested or MeetingStatus.Joining or MeetingStatus.AwaitingAdmission;
}
