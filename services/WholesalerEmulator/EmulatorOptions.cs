using System.ComponentModel.DataAnnotations;

namespace VexaService.WholesalerEmulator;

/// <summary>Settings of the emulator, bound from the <c>Emulator</c> section and validated at start.</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>The one API key (X-API-Key) the system user authenticates with.</summary>
    [Required]
    public string SystemApiKey { get; set; } = "";

    [Range(1, long.MaxValue)]
    public long SystemUserId { get; set; } = 1;

    [Required, EmailAddress]
    public string SystemUserEmail { get; set; } = "system@vexa-emulator.example";

    /// <summary><c>users.max_concurrent_bots</c>: POST /bots answers 403 once this many bot containers run.</summary>
    [Range(0, 100_000)]
    public int MaxConcurrentBots { get; set; } = 20;

    /// <summary>Time from the bot's start until it is in the meeting (first segment, or leaving for bots that can't join).</summary>
    [Range(0, 3_600_000)]
    public int BotJoinDelayMs { get; set; } = 2000;

    /// <summary>While a meeting is active, one more transcript segment appears every interval.</summary>
    [Range(1, 3_600_000)]
    public int SegmentIntervalMs { get; set; } = 3000;

    /// <summary>Time from DELETE /bots (status <c>stopping</c>) until the bot has left (<c>completed</c> + webhook).</summary>
    [Range(0, 3_600_000)]
    public int StopDelayMs { get; set; } = 3000;

    /// <summary>A segment's <c>created_at</c> stays null (it still lives in Redis) for this long after it appeared.</summary>
    [Range(0, 3_600_000)]
    public int SegmentFinalizeDelayMs { get; set; } = 30000;

    /// <summary>Upper bound of segments per meeting, so a bot forgotten in a meeting does not grow without end.</summary>
    [Range(1, 1_000_000)]
    public int MaxSegmentsPerMeeting { get; set; } = 2000;

    /// <summary>Which Vexa to play at start and after a reset: <c>dfc7c83e</c>, <c>2025-09</c>, <c>0.12</c> or <c>1.5</c>
    /// (one class each in <c>Generations/</c>).</summary>
    [AllowedValues(Models.BehaviourSettings.Dfc7c83e, Models.BehaviourSettings.September2025, Models.BehaviourSettings.Vexa012,
        Models.BehaviourSettings.Hosted15)]
    public string Behaviour { get; set; } = Models.BehaviourSettings.Dfc7c83e;

    /// <summary>2025-09: time between two statuses on the bot's way in (requested → joining → awaiting_admission → active).</summary>
    [Range(0, 3_600_000)]
    public int StatusStepMs { get; set; } = 1000;

    /// <summary>2025-09: the host refuses the bot (awaiting_admission → failed).</summary>
    public bool RefuseAdmission { get; set; }

    /// <summary>Per-key rate limit as current Vexa has it: a burst of this many requests (0: no limit)...</summary>
    [Range(0, 1_000_000)]
    public int RateLimitBurst { get; set; }

    /// <summary>...refilled at this many requests a second; beyond it, 429 with <c>Retry-After</c>.</summary>
    [Range(0, 1_000_000)]
    public double RateLimitPerSecond { get; set; }

    /// <summary>Whether the played generation's own rate limits apply (see <c>BehaviourSettings.GenerationLimits</c>).</summary>
    public bool GenerationLimits { get; set; } = true;

    /// <summary>The system key's scopes as <c>/auth/me</c> reports them (0.12 and 1.5), comma-separated; a Retailer needs
    /// <c>bot</c> and <c>tx</c>.</summary>
    public string SystemKeyScopes { get; set; } = "bot,tx";

    /// <summary>How often <c>/ws</c> looks at a subscribed meeting for new statuses and segments.</summary>
    [Range(10, 60_000)]
    public int LivePollMs { get; set; } = 100;

    /// <summary>Timeout of the completion webhook POST (Vexa: 30 s).</summary>
    [Range(1, 600_000)]
    public int WebhookTimeoutMs { get; set; } = 30000;
}
