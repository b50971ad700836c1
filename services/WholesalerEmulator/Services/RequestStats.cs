using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// Counts what reached the Wholesaler, so tests can check which keys it ever saw (as the first 8 hex chars of their
/// SHA-256, never the key itself), how often each meeting's transcript was fetched and how often all meetings were listed. Lock-free.
/// </summary>
public sealed class RequestStats
{
    public const string NoKey = "none";
    private const int MaxCachedHashes = 1024;

    private readonly ConcurrentDictionary<string, long> _keys = new();
    private readonly ConcurrentDictionary<long, long> _transcripts = new();
    private readonly ConcurrentDictionary<string, string> _hashes = new();
    private long _requests;
    private long _botStarts;
    private long _meetingListings;
    private long _runningBotsListings;
    private long _rateLimited;
    private long _liveSubscriptionChanges;

    public void CountRequest(StringValues apiKey)
    {
        Interlocked.Increment(ref _requests);
        var key = apiKey.Count > 0 && !string.IsNullOrEmpty(apiKey[0]) ? Fingerprint(apiKey[0]!) : NoKey;
        _keys.AddOrUpdate(key, 1, static (_, count) => count + 1);
    }

    public void CountTranscript(long meetingId) => _transcripts.AddOrUpdate(meetingId, 1, static (_, count) => count + 1);

    public void CountBotStart() => Interlocked.Increment(ref _botStarts);

    /// <summary>A <c>GET /meetings</c>: its answer grows with every meeting ever held, so callers should need it rarely.</summary>
    public void CountMeetingListing() => Interlocked.Increment(ref _meetingListings);

    /// <summary>A <c>GET /bots/status</c>: what our users' polls cost the Wholesaler.</summary>
    public void CountRunningBotsListing() => Interlocked.Increment(ref _runningBotsListings);

    /// <summary>A request refused with 429 by the per-key rate limit.</summary>
    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    /// <summary>A <c>subscribe</c> or <c>unsubscribe</c> message on <c>/ws</c> (the system user's live subscriptions changing).</summary>
    public void CountLiveSubscriptionChange() => Interlocked.Increment(ref _liveSubscriptionChanges);

    public StatsResponse Snapshot() => new(
        Interlocked.Read(ref _requests),
        new SortedDictionary<string, long>(_keys, StringComparer.Ordinal),
        _transcripts.OrderBy(t => t.Key).ToDictionary(t => t.Key.ToString(CultureInfo.InvariantCulture), t => t.Value),
        Interlocked.Read(ref _botStarts),
        Interlocked.Read(ref _meetingListings),
        Interlocked.Read(ref _runningBotsListings),
        Interlocked.Read(ref _rateLimited),
        Interlocked.Read(ref _liveSubscriptionChanges));

    public void Reset()
    {
        _keys.Clear();
        _transcripts.Clear();
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _botStarts, 0);
        Interlocked.Exchange(ref _meetingListings, 0);
        Interlocked.Exchange(ref _runningBotsListings, 0);
        Interlocked.Exchange(ref _rateLimited, 0);
        Interlocked.Exchange(ref _liveSubscriptionChanges, 0);
    }

    /// <summary>First 8 hex chars of SHA-256 of the key, memoised for the few keys a run uses.</summary>
    public string Fingerprint(string apiKey)
    {
        if (_hashes.TryGetValue(apiKey, out var cached))
        {
            return cached;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..8];
        if (_hashes.Count < MaxCachedHashes)
        {
            _hashes.TryAdd(apiKey, hash);
        }
        return hash;
    }
}
