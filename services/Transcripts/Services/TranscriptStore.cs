using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VexaService.Caching;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http.Caching;
using VexaService.Wholesaler;

namespace VexaService.Transcripts.Services;

/// <summary>
/// A caller's transcript, as the response bytes. It is always fetched from the Wholesaler by the Wholesaler meeting
/// we mapped (<c>?meeting_id=</c>), and the answer is used only if it names that meeting: the Wholesaler resolves
/// native ids to its newest meeting, which may be another user's. A completed transcript never changes, so its
/// bytes are cached in Redis (one Wholesaler call per completed transcript). A meeting in progress is fetched at most
/// once per <see cref="LiveMaxAge"/> whoever reads it (a copy shared by every replica through Redis), and when the
/// Wholesaler cannot be asked (our call budget is spent, or it is down) the last copy, up to <see cref="LiveCopyKept"/>
/// old, is the answer: under many tenants' polling a live transcript lags a little instead of failing.
/// Every answer is also kept in our database (<see cref="SegmentStore"/>); once a final meeting's whole transcript is
/// stored there, it is read from there when the cache has lost it, never from the Wholesaler again. A live meeting that
/// the gateway's transcript feed keeps whole (<see cref="Meeting.TranscriptFed"/> names the feed's current epoch) is read
/// from there too: its readers cost the Wholesaler nothing.
/// </summary>
public sealed class TranscriptStore(
    WholesalerClient wholesaler, IConnectionMultiplexer redis, TranscriptRouteCache routes,
    MeetingStatusWriter statuses, SegmentStore segments, IOptions<WholesalerOptions> options, ILogger<TranscriptStore> logger)
{
    private readonly string _scope = options.Value.RedisScope();
    private readonly string _feedKey = RedisKeys.WholesalerTranscriptFeed(options.Value.RedisScope());

    /// <summary>How long a live copy is served without asking the Wholesaler again.</summary>
    public static readonly TimeSpan LiveMaxAge = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the gateway may keep a live answer read from the copy the feed keeps whole (<see cref="EdgeKeep"/>).
    /// Every write to the copy renews its owner's reads (<see cref="SegmentStore"/>), so a new segment shows in the next
    /// read; this bound is for the feed stopping without a write: the feed's epoch lives 5 s, then reads go to the
    /// Wholesaler again.
    /// </summary>
    public static readonly TimeSpan FedKeep = TimeSpan.FromSeconds(5);

    /// <summary>How long a live copy is kept to answer with while the Wholesaler cannot be asked.</summary>
    public static readonly TimeSpan LiveCopyKept = TimeSpan.FromMinutes(2);

    // Striped per meeting id (process-wide, a fixed number so nothing accumulates): one Wholesaler fetch at a time.
    private static readonly SemaphoreSlim[] FetchGates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <param name="route">The route's generation, read before <paramref name="meeting"/> was: bytes are cached only
    /// while it is unchanged, so a read that raced a change (webhook, PATCH, DELETE) cannot keep old bytes. Null when
    /// Redis is unavailable: then nothing is read from or written to the cache.</param>
    public async Task<TranscriptAnswer> GetAsync(Meeting meeting, TranscriptRouteCache.Generation? route, CancellationToken ct)
    {
        if (meeting.WholesalerMeetingId is not { } wholesalerId)
        {
            return new(Serialize(Header(meeting, null, [])));
        }
        if (route is null)
        {
            return new(await CopyAsync(meeting, ct) ?? await FetchAsync(meeting, wholesalerId, route, ct));
        }
        if (!MeetingStatus.IsFinal(meeting.Status))
        {
            return await LiveAsync(meeting, wholesalerId, route, ct);
        }
        if (await TryCompletedAsync(meeting.Id) is { } cached)
        {
            return new(cached);
        }
        // Readers that miss together wait for the first one's fetch instead of each calling the Wholesaler.
        var gate = FetchGates[(int)(meeting.Id % FetchGates.Length)];
        await gate.WaitAsync(ct);
        try
        {
            return new(await TryCompletedAsync(meeting.Id) ?? await StoredAsync(meeting, route, ct) ?? await FetchAsync(meeting, wholesalerId, route, ct));
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<TranscriptAnswer> LiveAsync(Meeting meeting, long wholesalerId, TranscriptRouteCache.Generation route, CancellationToken ct)
    {
        var copy = await redis.TryAsync(db => db.StringGetAsync([RedisKeys.TranscriptLiveFresh(meeting.Id), RedisKeys.TranscriptLive(meeting.Id), _feedKey,
                RedisKeys.WholesalerTranscriptFeedAsk(_scope, meeting.Id)]),
            logger, "Live transcript copy unavailable");
        if (copy is [_, _, { HasValue: true } feed, _] && meeting.TranscriptFed is { } fed && fed == (string?)feed)
        {
            // The live feed keeps our copy whole (TranscriptFeed in the gateway): no Wholesaler call.
            return new(Serialize(Header(meeting, null, await segments.ReadAsync(meeting.Id, ct))), Fed: true);
        }
        if (copy is [{ HasValue: true }, { HasValue: true } fresh, _, _])
        {
            return new((byte[])fresh!);
        }
        try
        {
            // The feed's ask, read before the fetch began: this fetch can make the feed's copy whole.
            var bytes = await FetchAsync(meeting, wholesalerId, route, ct, copy is [_, _, _, var ask] ? ask : RedisValue.Null);
            if (!MeetingStatus.IsFinal(meeting.Status))
            {
                await redis.TryAsync(db => Task.WhenAll(
                        db.StringSetAsync(RedisKeys.TranscriptLive(meeting.Id), bytes, LiveCopyKept),
                        db.StringSetAsync(RedisKeys.TranscriptLiveFresh(meeting.Id), 1, LiveMaxAge)),
                    logger, "Could not keep the live transcript copy");
            }
            return new(bytes);
        }
        catch (WholesalerUnavailableException e) when (copy is [_, { HasValue: true } last, _, _])
        {
            logger.LogDebug("Wholesaler unavailable ({Detail}); answered meeting {MeetingId}'s live transcript from its last copy", e.Detail, meeting.Id);
            return new((byte[])last!);
        }
        catch (WholesalerUnavailableException e)
        {
            // No copy in Redis, but ours in the database (the feed's frames, a webhook's read-back, an earlier read): what
            // we know, rather than a 503 for want of a Wholesaler call (200 tenants polling at once spend the budget).
            if (await segments.ReadAsync(meeting.Id, ct) is not { Count: > 0 } ours)
            {
                throw;
            }
            logger.LogDebug("Wholesaler unavailable ({Detail}); answered meeting {MeetingId}'s live transcript from our copy", e.Detail, meeting.Id);
            return new(Serialize(Header(meeting, null, ours)));
        }
    }

    /// <summary>A final meeting's transcript from our copy, cached again; null until its whole transcript is stored.</summary>
    private async Task<byte[]?> StoredAsync(Meeting meeting, TranscriptRouteCache.Generation route, CancellationToken ct)
    {
        if (await CopyAsync(meeting, ct) is not { } bytes)
        {
            return null;
        }
        await routes.StoreIfUnchangedAsync(route, RedisKeys.TranscriptFinal(meeting.Id), bytes, TimeSpan.FromDays(7));
        return bytes;
    }

    /// <summary>A final meeting's transcript from our copy; null until its whole transcript is stored.</summary>
    private async Task<byte[]?> CopyAsync(Meeting meeting, CancellationToken ct) =>
        meeting.TranscriptStoredAt is not null && MeetingStatus.IsFinal(meeting.Status)
            ? Serialize(Header(meeting, null, await segments.ReadAsync(meeting.Id, ct)))
            : null;

    /// <param name="feedAsk">The transcript feed's ask of this live meeting (<see cref="RedisKeys.WholesalerTranscriptFeedAsk"/>), read
    /// before this fetch began: once the answer is in our copy, the feed is told (the copy is whole without its own call).</param>
    private async Task<byte[]> FetchAsync(Meeting meeting, long wholesalerId, TranscriptRouteCache.Generation? route, CancellationToken ct,
        RedisValue feedAsk = default)
    {
        var answer = await wholesaler.GetTranscriptAsync(meeting.Platform, meeting.NativeMeetingId, wholesalerId, ct);
        if (answer.Status == StatusCodes.Status404NotFound || answer.Issuer != meeting.WholesalerIssuer)
        {
            // The Wholesaler no longer has it (deleted there, or it was mapped by a Wholesaler we no longer talk to,
            // where the same id names another meeting): our meeting is still shown, with what our copy holds of it (the
            // feed's frames, read-backs, earlier reads; none if we never held any). A Wholesaler that restarted and lost
            // its meetings must not take our users' transcripts with it.
            return Serialize(Header(meeting, null, await segments.ReadAsync(meeting.Id, ct)));
        }
        if (!answer.IsSuccess || answer.Body is not JsonObject body || WholesalerMeetingJson.Id(body) != wholesalerId)
        {
            logger.LogWarning("Wholesaler transcript answer for meeting {WholesalerMeetingId} was {Status} with id {AnswerId}; not shown",
                wholesalerId, answer.Status, WholesalerMeetingJson.Id(answer.Body));
            throw new WholesalerUnavailableException(StatusCodes.Status502BadGateway,
                "The transcript could not be retrieved reliably. Please retry later.");
        }

        if (WholesalerMeetingJson.WouldFollow(body, meeting))
        {
            // Not abandoned half-way because the reader went away.
            await statuses.ApplyAsync(meeting, StatusTransition.Wholesaler, row => WholesalerMeetingJson.Follow(body, row), CancellationToken.None);
        }
        var transcript = Header(meeting, body, body["segments"] as JsonArray ?? []);
        if (await KeepAsync(meeting, WholesalerSegmentsJson.Identified(body["segments"] as JsonArray ?? [], WholesalerMeetingJson.Start(body, meeting)))
            && feedAsk.HasValue)
        {
            await redis.TryAsync(db => db.StringSetAsync(RedisKeys.WholesalerTranscriptFeedAnswered(_scope, meeting.Id), feedAsk, RedisKeys.WholesalerTranscriptFeedAskLifetime),
                logger, "Could not tell the transcript feed that a read made its copy whole");
        }
        var bytes = Serialize(transcript);
        if (route is not null && MeetingStatus.IsFinal(meeting.Status))
        {
            await routes.StoreIfUnchangedAsync(route, RedisKeys.TranscriptFinal(meeting.Id), bytes, TimeSpan.FromDays(7));
        }
        return bytes;
    }

    /// <summary>Our copy of what the Wholesaler answered; the copy of a final meeting's is whole. A database that fails
    /// here costs the copy, not the reader's answer.</summary>
    /// <returns>Whether it was kept.</returns>
    private async Task<bool> KeepAsync(Meeting meeting, List<StoredSegment> ours)
    {
        try
        {
            // Not the reader's token: a copy half-written because the reader went away would be replaced anyway, but
            // a final one would then be fetched again.
            await segments.SaveAsync(meeting, ours, final: MeetingStatus.IsFinal(meeting.Status), CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("Meeting {MeetingId}'s transcript not kept: {Error}", meeting.Id, e.GetBaseException().Message);
            return false;
        }
    }

    /// <summary>Vexa's transcript shape (4.6): meeting fields without user_id/data/created_at, then segments (in our
    /// users' shape, timed from the start shown here).</summary>
    private static JsonObject Header(Meeting meeting, JsonObject? wholesaler, JsonArray segments)
    {
        var start = WholesalerMeetingJson.Start(wholesaler, meeting);
        return new()
        {
            ["id"] = meeting.Id,
            ["platform"] = meeting.Platform,
            ["native_meeting_id"] = meeting.NativeMeetingId,
            ["constructed_meeting_url"] = Platforms.ConstructMeetingUrl(meeting.Platform, meeting.NativeMeetingId),
            ["status"] = meeting.Status,
            ["start_time"] = VexaDateTime.Naive(start),
            ["end_time"] = VexaDateTime.Naive(WholesalerMeetingJson.Time(wholesaler?["end_time"]) ?? meeting.EndTime),
            ["segments"] = WholesalerSegmentsJson.InOurShape(segments, start),
        };
    }

    private static byte[] Serialize(JsonObject transcript) => JsonSerializer.SerializeToUtf8Bytes(transcript);

    /// <summary>The cached bytes of a final meeting's transcript, or null (not cached, or Redis unavailable).</summary>
    public Task<byte[]?> TryCompletedAsync(long meetingId) =>
        redis.TryAsync(async db => (byte[]?)await db.StringGetAsync(RedisKeys.TranscriptFinal(meetingId)), logger, "Transcript cache unavailable");
}

/// <param name="Body">The response bytes.</param>
/// <param name="Fed">Read from the copy the feed keeps whole: the gateway may keep it for <see cref="TranscriptStore.FedKeep"/>.</param>
public readonly record struct TranscriptAnswer(byte[] Body, bool Fed = false);
