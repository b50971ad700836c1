using Microsoft.Extensions.Options;
using VexaService.WholesalerEmulator.Models;
using VexaDateTime = VexaService.Contracts.VexaDateTime;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// Segments computed from elapsed time: while the bot listens, segment k appears once
/// <c>join delay + (k + 1) × interval</c> has passed since the session start. Content is derived from meeting id and k only.
/// </summary>
public sealed class TranscriptGenerator(IOptions<EmulatorOptions> options)
{
    private static readonly string[] Speakers = ["Alice", "Bob", "Carol"];

    private static readonly string[] English =
    [
        "Good morning everyone, let's get started.",
        "Can everyone hear me okay?",
        "The first item on the agenda is the quarterly review.",
        "I think we should move the release to next week.",
        "Revenue is up twelve percent compared to last quarter.",
        "Let's take that offline and follow up by email.",
        "Does anyone have questions about the roadmap?",
        "We still need a decision on the vendor contract.",
        "I'll share my screen in a second.",
        "That sounds good to me.",
        "Could you send the slides after the call?",
        "Let's wrap up and meet again on Thursday.",
    ];

    private static readonly string[] German =
    [
        "Guten Morgen zusammen, fangen wir an.",
        "Ich schicke die Unterlagen nach dem Termin.",
        "Das klingt gut, machen wir so.",
        "Können wir das nächste Woche besprechen?",
    ];

    public (TranscriptResponse Response, DateTime ValidUntil) Build(Meeting meeting, DateTime now)
    {
        var count = VisibleCount(meeting, now);
        var segments = new TranscriptSegment[count];
        var validUntil = DateTime.MaxValue;
        for (var k = 0; k < count; k++)
        {
            segments[k] = Segment(meeting, k, now, out var finalisedAt);
            if (finalisedAt > now && finalisedAt < validUntil)
            {
                validUntil = finalisedAt;
            }
        }
        if (meeting.ProducingUntil is null && meeting.BotCanJoin && meeting.SessionStart is { } session
            && count < meeting.MaxSegments)
        {
            var nextAppears = VisibleAt(meeting, session, count);
            validUntil = nextAppears < validUntil ? nextAppears : validUntil;
        }
        var response = new TranscriptResponse(
            meeting.Id,
            meeting.Platform,
            meeting.NativeMeetingId,
            meeting.ConstructedMeetingUrl,
            meeting.Status,
            VexaDateTime.Naive(meeting.StartTime),
            VexaDateTime.Naive(meeting.EndTime),
            segments);
        return (response, validUntil);
    }

    /// <summary>Distinct speakers and languages, sorted ordinally (the post-meeting aggregation task).</summary>
    public (List<string> Participants, List<string> Languages) Aggregate(Meeting meeting, DateTime now)
    {
        var participants = new SortedSet<string>(StringComparer.Ordinal);
        var languages = new SortedSet<string>(StringComparer.Ordinal);
        for (var k = 0; k < VisibleCount(meeting, now); k++)
        {
            var segment = Segment(meeting, k, now, out _);
            participants.Add(segment.Speaker!);
            languages.Add(segment.Language!);
        }
        return ([.. participants], [.. languages]);
    }

    /// <summary>How many segments are visible at <paramref name="now"/>, and how many of those (the first ones: they
    /// finalise in order) have their <c>created_at</c>.</summary>
    public (int Visible, int Final) Counts(Meeting meeting, DateTime now)
    {
        var visible = VisibleCount(meeting, now);
        if (visible == 0)
        {
            return (0, 0);
        }
        var o = options.Value;
        var sinceMs = (now - meeting.SessionStart!.Value).TotalMilliseconds - o.BotJoinDelayMs - o.SegmentFinalizeDelayMs;
        var final = sinceMs < meeting.SegmentIntervalMs ? 0 : (int)Math.Min(sinceMs / meeting.SegmentIntervalMs, visible);
        return (visible, final);
    }

    /// <summary>Segment <paramref name="k"/> as it reads at <paramref name="now"/> (as in <see cref="Build"/>).</summary>
    public TranscriptSegment SegmentAt(Meeting meeting, int k, DateTime now) => Segment(meeting, k, now, out _);

    private int VisibleCount(Meeting meeting, DateTime now)
    {
        if (!meeting.BotCanJoin || meeting.SessionStart is not { } session)
        {
            return 0;
        }
        var listenedMs = ((meeting.ProducingUntil ?? now) - session).TotalMilliseconds - options.Value.BotJoinDelayMs;
        return listenedMs < meeting.SegmentIntervalMs ? 0 : (int)Math.Min(listenedMs / meeting.SegmentIntervalMs, meeting.MaxSegments);
    }

    private DateTime VisibleAt(Meeting meeting, DateTime session, int k) =>
        session.AddMilliseconds(options.Value.BotJoinDelayMs + (k + 1.0) * meeting.SegmentIntervalMs);

    private TranscriptSegment Segment(Meeting meeting, int k, DateTime now, out DateTime finalisedAt)
    {
        var o = options.Value;
        var session = meeting.SessionStart!.Value;
        var hash = Mix((ulong)meeting.Id * 1_000_003UL + (ulong)k);
        var jitterMs = hash % 1000 / 1000.0 * meeting.SegmentIntervalMs * 0.1;
        var start = Math.Round((o.BotJoinDelayMs + (double)k * meeting.SegmentIntervalMs + jitterMs) / 1000, 3);
        var end = Math.Round(start + meeting.SegmentIntervalMs * 0.85 / 1000, 3);
        var german = (hash >> 12) % 5 == 0;
        var lines = german ? German : English;
        finalisedAt = VisibleAt(meeting, session, k).AddMilliseconds(o.SegmentFinalizeDelayMs);
        return new TranscriptSegment(
            start,
            end,
            lines[(int)((hash >> 20) % (ulong)lines.Length)],
            german ? "de" : "en",
            finalisedAt <= now ? VexaDateTime.Naive(finalisedAt) : null,
            Speakers[(int)(((ulong)meeting.Id + (ulong)k) % (ulong)Speakers.Length)],
            VexaDateTime.WithOffset(session.AddTicks((long)(start * TimeSpan.TicksPerSecond))),
            VexaDateTime.WithOffset(session.AddTicks((long)(end * TimeSpan.TicksPerSecond))));
    }

    /// <summary>SplitMix64 finaliser: a cheap, well-spread deterministic hash.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
