using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.Transcripts.Services;

/// <summary>
/// Our copy of every mapped meeting's transcript (<see cref="TranscriptSegment"/>), in our users' shape. Every answer the
/// Wholesaler gives about a meeting is kept (each segment upserted by its identity, so replicas and repeated reads write
/// it once); the answer about a final meeting replaces the copy whole and marks it stored
/// (<see cref="Meeting.TranscriptStoredAt"/>), after which the transcript is read from here.
/// </summary>
public sealed class SegmentStore(VexaDbContext db, TimeProvider time)
{
    /// <param name="segments">In our users' shape (<c>WholesalerSegmentsJson.InOurShape</c>).</param>
    /// <param name="final">The Wholesaler's answer about a final meeting: the whole transcript, for good.</param>
    public async Task SaveAsync(Meeting meeting, JsonArray segments, bool final, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = segments.OfType<JsonObject>().Select(s => Row(meeting.Id, s, now))
            .GroupBy(r => r.SegmentKey).Select(g => g.Last()).ToList(); // one row per identity: the later copy
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (final)
            {
                await db.TranscriptSegments.Where(s => s.MeetingId == meeting.Id).ExecuteDeleteAsync(ct);
            }
            foreach (var row in rows)
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO transcript_segments (meeting_id, segment_key, start, text, speaker, json, updated_at)
                    VALUES ({row.MeetingId}, {row.SegmentKey}, {row.Start}, {row.Text}, {row.Speaker}, {row.Json}, {row.UpdatedAt})
                    ON CONFLICT (meeting_id, segment_key) DO UPDATE SET start = excluded.start, text = excluded.text,
                        speaker = excluded.speaker, json = excluded.json, updated_at = excluded.updated_at
                    """, ct);
            }
            if (final)
            {
                await db.Meetings.Where(m => m.Id == meeting.Id)
                    .ExecuteUpdateAsync(m => m.SetProperty(x => x.TranscriptStoredAt, now), ct);
            }
            await tx.CommitAsync(ct);
        });
        if (final)
        {
            meeting.TranscriptStoredAt = now;
        }
    }

    /// <summary>The stored segments of a meeting, in order, as our users get them.</summary>
    public async Task<JsonArray> ReadAsync(long meetingId, CancellationToken ct)
    {
        var stored = await db.TranscriptSegments.AsNoTracking().Where(s => s.MeetingId == meetingId)
            .OrderBy(s => s.Start).ThenBy(s => s.SegmentKey).Select(s => s.Json).ToListAsync(ct);
        return new JsonArray([.. stored.Select(json => JsonNode.Parse(json))]);
    }

    private static TranscriptSegment Row(long meetingId, JsonObject segment, DateTime now)
    {
        var start = segment["start"] is JsonValue v && v.TryGetValue<double>(out var s) ? s : 0;
        return new TranscriptSegment
        {
            MeetingId = meetingId,
            // Our shape has no segment_id (0.12's are merged into one segment each before): the start to the millisecond,
            // as Vexa 2025-09 keys segments. A live segment whose start moves leaves its old row until the final answer.
            SegmentKey = start.ToString("F3", CultureInfo.InvariantCulture),
            Start = start,
            Text = segment["text"] is JsonValue t && t.TryGetValue<string>(out var text) ? text : "",
            Speaker = segment["speaker"] is JsonValue sp && sp.TryGetValue<string>(out var speaker) && speaker.Length <= 255 ? speaker : null,
            Json = segment.ToJsonString(),
            UpdatedAt = now,
        };
    }
}
