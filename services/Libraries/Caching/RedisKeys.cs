using System.Globalization;

namespace VexaService.Caching;

/// <summary>
/// Every Redis key the services share, in one place: the services meet in Redis, so its keys and their values are a
/// schema. Code builds keys only here (a test fails on a key prefix written anywhere else), and the gateway's Lua script
/// gets its one key prefix from here as an argument. Every key may be evicted (Redis runs <c>allkeys-lru</c>): each
/// owner treats a missing key as a miss and stays correct (see <see cref="TranscriptRouteCache"/> for the one key whose
/// absence needed care).
/// </summary>
public static class RedisKeys
{
    /// <summary>
    /// The gateway's cached lookup of an API key by its hash (AdminApi and the gateway drop it when the key is deleted).
    /// Value: <c>0</c> for a key that is not ours, else <c>user:token:scopes:expiry</c> (the gateway's <c>KeyGrant</c>,
    /// user id first: the edge script reads it there).
    /// </summary>
    public static string AuthToken(string tokenHash) => $"auth:token:{tokenHash}";

    /// <summary>A key's request count in one rate-limit window (window length in the key: replicas mid-rollout). Value: a count.</summary>
    public static string RateLimit(string tokenHash, long windowMs, long windowStart) =>
        string.Create(CultureInfo.InvariantCulture, $"ratelimit:{tokenHash}:{windowMs}:{windowStart}");

    /// <summary>Prefix of <see cref="TranscriptRoute"/>; the gateway's edge script appends <c>{user}:{route}</c> itself.</summary>
    public const string TranscriptRoutePrefix = "transcript:route:v2:";

    /// <summary>A user's cached plain transcript read of one route (<c>{platform}:{native id}</c>). Value: the tag of its bytes.</summary>
    public static string TranscriptRoute(long userId, string route) =>
        string.Create(CultureInfo.InvariantCulture, $"{TranscriptRoutePrefix}{userId}:{route}");

    /// <summary>The bytes a tag names. Value: the response bytes.</summary>
    public static string TranscriptBody(string tag) => $"transcript:body:v2:{tag}";

    /// <summary>A route's generation. Value: a random token (never a counter: see <see cref="TranscriptRouteCache"/>).</summary>
    public static string TranscriptRouteGeneration(long userId, string route) =>
        string.Create(CultureInfo.InvariantCulture, $"transcript:route-gen:v1:{userId}:{route}");

    /// <summary>Prefix of <see cref="UserReadsGeneration"/>; the gateway's edge script appends the user id itself.</summary>
    public const string UserReadsGenerationPrefix = "reads:user-gen:v1:";

    /// <summary>The generation of a user's reads kept at the gateway (<see cref="UserReads"/>). Value: a random token.</summary>
    public static string UserReadsGeneration(long userId) =>
        string.Create(CultureInfo.InvariantCulture, $"{UserReadsGenerationPrefix}{userId}");

    /// <summary>A final meeting's transcript. Value: the response bytes.</summary>
    public static string TranscriptFinal(long meetingId) => string.Create(CultureInfo.InvariantCulture, $"transcript:v1:{meetingId}");

    /// <summary>A live meeting's last transcript. Value: the response bytes.</summary>
    public static string TranscriptLive(long meetingId) => string.Create(CultureInfo.InvariantCulture, $"transcript:live:v1:{meetingId}");

    /// <summary>Present while <see cref="TranscriptLive"/> is fresh enough to serve. Value: any.</summary>
    public static string TranscriptLiveFresh(long meetingId) => TranscriptLive(meetingId) + ":fresh";

    /// <summary>A user's webhook test cooldown. Value: any; its expiry is the cooldown.</summary>
    public static string WebhookTestCooldown(long userId) => string.Create(CultureInfo.InvariantCulture, $"webhook-test:{userId}");

    /// <summary>Prefix of one Wholesaler's shared state (its address hashed, or a configured scope).</summary>
    public static string Wholesaler(string scope) => $"wholesaler:{scope}";

    /// <summary>The Wholesaler's running bots, shared by replicas. Value: <c>{"issuer", "bots": [...]}</c>.</summary>
    public static string WholesalerRunningBots(string scope) => Wholesaler(scope) + ":running-bots";

    /// <summary>The last copy of the running bots, kept longer to answer with while the Wholesaler cannot be asked.
    /// Value: as <see cref="WholesalerRunningBots"/>.</summary>
    public static string WholesalerRunningBotsLast(string scope) => Wholesaler(scope) + ":running-bots-last";

    /// <summary>The Wholesaler call budget's token bucket. Value: a hash of the bucket's level and time.</summary>
    public static string WholesalerBudget(string scope) => Wholesaler(scope) + ":budget";

    /// <summary>The run of the live transcript feed now following this Wholesaler: present while its one follower holds an
    /// open socket (refreshed every second, a few seconds to live). Value: the run's epoch, as meetings'
    /// <c>transcript_fed</c> name it.</summary>
    public static string WholesalerTranscriptFeed(string scope) => Wholesaler(scope) + ":transcript-feed";

    /// <summary>
    /// The transcript feed following this Wholesaler asks a meeting's readers to make its copy whole (<c>TranscriptFeed</c>
    /// in the gateway): set once the feed's subscription to the meeting is confirmed. Under the Wholesaler's scope, as the
    /// feed's epoch is: only the Transcripts that reads the same Wholesaler's meeting may answer (stacks sharing a Redis
    /// number their meetings alike). Value: a random token.
    /// </summary>
    public static string WholesalerTranscriptFeedAsk(string scope, long meetingId) =>
        string.Create(CultureInfo.InvariantCulture, $"{WholesalerTranscriptFeed(scope)}:ask:{meetingId}");

    /// <summary>A reader's fetch that began after <see cref="WholesalerTranscriptFeedAsk"/> was set is in our copy. Value:
    /// that token.</summary>
    public static string WholesalerTranscriptFeedAnswered(string scope, long meetingId) =>
        string.Create(CultureInfo.InvariantCulture, $"{WholesalerTranscriptFeed(scope)}:answered:{meetingId}");

    /// <summary>How long <see cref="WholesalerTranscriptFeedAsk"/> and <see cref="WholesalerTranscriptFeedAnswered"/> live.</summary>
    public static readonly TimeSpan WholesalerTranscriptFeedAskLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Until when the Wholesaler told us to wait (its 429). Value: Unix milliseconds.</summary>
    public static string WholesalerThrottledUntil(string scope) => Wholesaler(scope) + ":throttled-until";
}
