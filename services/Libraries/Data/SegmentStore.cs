using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace VexaService.Data;

/// <summary>
/// Our copy of every mapped meeting's transcript (<see cref="TranscriptSegment"/>), in our users' shape, written from two
/// sides: every REST answer the Wholesaler gives about a meeting (<see cref="SaveAsync"/>), and the segments its live
/// feed pushes (<see cref="MergeAsync"/>). Each segment is upserted by its identity, so replicas and repeated reads
/// write it once; the answer about a final meeting replaces the copy whole and marks it stored
/// (<see cref="Meeting.TranscriptStoredAt"/>), after which the transcript is read from here.
/// </summary>
public sealed class SegmentStore(VexaDbContext db, TimeProvider time)
{
    /// <param name="segments">In our users' shape (<c>WholesalerSegmentsJson.InOurShape</c>).</param>
    /// <param name="final">The Wholesaler's answer about a final meeting: the whole transcript, for good.</param>
    public async Task SaveAsync(Meeting meeting, JsonArray segments, bool final, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = Rows(meeting.Id, segments, now);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (final)
            {
                await db.TranscriptSegments.Where(s => s.MeetingId == meeting.Id).ExecuteDeleteAsync(ct);
            }
            await UpsertAsync(meeting.Id, rows, ct);
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

    /// <summary>
    /// Segments pushed live (a frame of the Wholesaler's feed), each laid over the stored copy of the same segment: a
    /// push that lacks a field (2025-09's <c>transcript.finalized</c> has no absolute times) keeps the stored value, in
    /// the stored order. Not for a final meeting whose whole transcript is stored: that copy is the Wholesaler's last word.
    /// </summary>
    /// <param name="segments">In our users' shape, with only the fields the push carried.</param>
    /// <returns>How many segments were written.</returns>
    public async Task<int> MergeAsync(long meetingId, JsonArray segments, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var pushed = Rows(meetingId, segments, now);
        if (pushed.Count == 0)
        {
            return 0;
        }
        var keys = pushed.Select(r => r.SegmentKey).ToList();
        var stored = await db.TranscriptSegments.AsNoTracking()
            .Where(s => s.MeetingId == meetingId && keys.Contains(s.SegmentKey))
            .ToDictionaryAsync(s => s.SegmentKey, s => s.Json, ct);
        var rows = pushed.Select(row => stored.TryGetValue(row.SegmentKey, out var json) && JsonNode.Parse(json) is JsonObject old
            ? Row(meetingId, Overlay(old, (JsonObject)JsonNode.Parse(row.Json)!), now)
            : row).ToList();
        // Written only while the meeting's final copy is not: a push that comes after it must not undo it.
        var written = 0;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var final = await db.Meetings.Where(m => m.Id == meetingId).Select(m => m.TranscriptStoredAt).FirstOrDefaultAsync(ct);
            written = final is null ? await UpsertAsync(meetingId, rows, ct) : 0;
            await tx.CommitAsync(ct);
        });
        return written;
    }

    /// <summary>The stored segments of a meeting, in order, as our users get them.</summary>
    public async Task<JsonArray> ReadAsync(long meetingId, CancellationToken ct)
    {
        var stored = await db.TranscriptSegments.AsNoTracking().Where(s => s.MeetingId == meetingId)
            .OrderBy(s => s.Start).ThenBy(s => s.SegmentKey).Select(s => s.Json).ToListAsync(ct);
        return new JsonArray([.. stored.Select(json => JsonNode.Parse(json))]);
    }

    /// <summary>One statement for every row (arrays unnested), whatever their number.</summary>
    private Task<int> UpsertAsync(long meetingId, List<TranscriptSegment> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return Task.FromResult(0);
        }
        var keys = rows.Select(r => r.SegmentKey).ToArray();
        var starts = rows.Select(r => r.Start).ToArray();
        var texts = rows.Select(r => r.Text).ToArray();
        var speakers = rows.Select(r => r.Speaker).ToArray();
        var jsons = rows.Select(r => r.Json).ToArray();
        var now = rows[0].UpdatedAt;
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO transcript_segments (meeting_id, segment_key, start, text, speaker, json, updated_at)
            SELECT {meetingId}, k, s, t, sp, j, {now}
            FROM unnest({keys}::text[], {starts}::double precision[], {texts}::text[], {speakers}::text[], {jsons}::text[]) AS u(k, s, t, sp, j)
            ON CONFLICT (meeting_id, segment_key) DO UPDATE SET start = excluded.start, text = excluded.text,
                speaker = excluded.speaker, json = excluded.json, updated_at = excluded.updated_at
            """, ct);
    }

    /// <summary>One row per identity: the later copy.</summary>
    private static List<TranscriptSegment> Rows(long meetingId, JsonArray segments, DateTime now) =>
        segments.OfType<JsonObject>().Select(s => Row(meetingId, s, now))
            .GroupBy(r => r.SegmentKey).Select(g => g.Last()).ToList();

    private static JsonObject Overlay(JsonObject stored, JsonObject pushed)
    {
        foreach (var (field, value) in pushed)
        {
            stored[field] = value?.DeepClone();
        }
        return stored;
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
