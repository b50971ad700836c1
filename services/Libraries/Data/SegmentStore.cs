using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace VexaService.Data;

/// <summary>A segment to store: in our users' shape, with Vexa 0.12's identity when the Wholesaler gave one, and the
/// Teams speaker whose pending set it belongs to while it is pending. <paramref name="Whole"/>: it has every field of our
/// shape (a push may carry only some, which are laid over the stored ones).</summary>
public sealed record StoredSegment(JsonObject Json, string? SegmentId = null, string? PendingSpeaker = null, bool Whole = true);

/// <summary>
/// Our copy of every mapped meeting's transcript (<see cref="TranscriptSegment"/>), in our users' shape, written from two
/// sides: every REST answer the Wholesaler gives about a meeting (<see cref="SaveAsync"/>), and what its live feed pushes
/// (<see cref="MergeAsync"/>, <see cref="RetractAsync"/>, <see cref="SnapshotAsync"/>). Each segment is upserted by its
/// start (every Vexa's REST answers have one; 0.12's <c>segment_id</c> is kept beside it, and a segment whose start
/// moved leaves no old row), so replicas and repeated reads write it once; the answer about a final meeting replaces the
/// copy whole and marks it stored (<see cref="Meeting.TranscriptStoredAt"/>), after which the transcript is read from
/// here and pushes no longer change it.
/// </summary>
public sealed class SegmentStore(VexaDbContext db, TimeProvider time)
{
    /// <param name="final">The Wholesaler's answer about a final meeting: the whole transcript, for good.</param>
    public async Task SaveAsync(Meeting meeting, IReadOnlyList<StoredSegment> segments, bool final, CancellationToken ct)
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
            await UpsertAsync(meeting.Id, rows, ct, keepPending: !final);
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
        await MeetingOwnerChanges.NoteAsync(db, meeting.UserId); // the owner's kept reads showed the copy before it
    }

    /// <summary>
    /// Segments pushed live (a frame of the Wholesaler's feed), each laid over the stored copy of the same segment: a
    /// push that lacks a field (2025-09's <c>transcript.finalized</c> has no absolute times) keeps the stored value, in
    /// the stored order.
    /// </summary>
    /// <param name="segments">In our users' shape, with only the fields the push carried.</param>
    /// <returns>How many segments were written (none once the meeting's final copy is stored).</returns>
    public async Task<int> MergeAsync(long meetingId, IReadOnlyList<StoredSegment> segments, CancellationToken ct)
    {
        if (!segments.All(s => s.Whole))
        {
            return await LiveAsync(meetingId, segments, (_, _) => Task.FromResult(0), snapshot: false, ct);
        }
        // The common push (every 0.12 segment, 2025-09's transcript.mutable): one statement, nothing read first.
        var written = await UpsertAsync(meetingId, Rows(meetingId, segments, time.GetUtcNow().UtcDateTime), ct, unlessFinal: true, keepPending: true);
        if (written > 0)
        {
            await NoteOwnerAsync(await db.Meetings.Where(m => m.Id == meetingId).Select(m => (long?)m.UserId).FirstOrDefaultAsync(ct));
        }
        return written;
    }

    /// <summary>0.12's <c>transcript_retract</c>: the segments are gone, confirmed ones too.</summary>
    /// <returns>How many were removed.</returns>
    public Task<int> RetractAsync(long meetingId, IReadOnlyCollection<string> segmentIds, CancellationToken ct) =>
        LiveAsync(meetingId, [], (id, token) => db.TranscriptSegments
            .Where(s => s.MeetingId == id && s.SegmentId != null && segmentIds.Contains(s.SegmentId)).ExecuteDeleteAsync(token), snapshot: false, ct);

    /// <summary>
    /// A Teams speaker snapshot (0.12): <paramref name="confirmed"/> are upserted for good, and <paramref name="pending"/>
    /// is the speaker's whole pending set: a segment pending for that speaker before and in neither list is gone.
    /// </summary>
    public Task<int> SnapshotAsync(long meetingId, string speaker, IReadOnlyList<StoredSegment> confirmed,
        IReadOnlyList<StoredSegment> pending, CancellationToken ct)
    {
        var listed = confirmed.Concat(pending).Select(s => s.SegmentId).OfType<string>().ToList();
        var segments = confirmed.Select(s => s with { PendingSpeaker = null })
            .Concat(pending.Select(s => s with { PendingSpeaker = speaker })).ToList();
        return LiveAsync(meetingId, segments, (id, token) => db.TranscriptSegments
            .Where(s => s.MeetingId == id && s.PendingSpeaker == speaker && (s.SegmentId == null || !listed.Contains(s.SegmentId)))
            .ExecuteDeleteAsync(token), snapshot: true, ct);
    }

    /// <summary>The stored segments of a meeting, in order, as our users get them.</summary>
    public async Task<JsonArray> ReadAsync(long meetingId, CancellationToken ct)
    {
        var stored = await db.TranscriptSegments.AsNoTracking().Where(s => s.MeetingId == meetingId)
            .OrderBy(s => s.Start).ThenBy(s => s.SegmentKey).Select(s => s.Json).ToListAsync(ct);
        return new JsonArray([.. stored.Select(json => JsonNode.Parse(json))]);
    }

    /// <summary>
    /// A push: <paramref name="removal"/> (given the meeting id), then the segments laid over their stored copies, in
    /// one transaction, and only while the meeting's final copy is not stored: a push that comes after it must not undo it.
    /// </summary>
    /// <param name="snapshot">The segments say whether they are pending in a speaker's snapshot (otherwise see
    /// <see cref="UpsertAsync"/>'s <c>keepPending</c>).</param>
    private async Task<int> LiveAsync(long meetingId, IReadOnlyList<StoredSegment> segments,
        Func<long, CancellationToken, Task<int>> removal, bool snapshot, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var pushed = Rows(meetingId, segments, now);
        var keys = pushed.Select(r => r.SegmentKey).ToList();
        var stored = keys.Count == 0 ? [] : await db.TranscriptSegments.AsNoTracking()
            .Where(s => s.MeetingId == meetingId && keys.Contains(s.SegmentKey))
            .ToDictionaryAsync(s => s.SegmentKey, s => s.Json, ct);
        var rows = pushed.Select(row => stored.TryGetValue(row.SegmentKey, out var old) && JsonNode.Parse(old) is JsonObject before
            ? Overlay(before, row)
            : row).ToList();
        var written = 0;
        long? owner = null;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var meeting = await db.Meetings.Where(m => m.Id == meetingId).Select(m => new { m.UserId, m.TranscriptStoredAt }).FirstOrDefaultAsync(ct);
            written = meeting is { TranscriptStoredAt: null } ? await removal(meetingId, ct) + await UpsertAsync(meetingId, rows, ct, keepPending: !snapshot) : 0;
            owner = meeting?.UserId;
            await tx.CommitAsync(ct);
        });
        if (written > 0)
        {
            await NoteOwnerAsync(owner);
        }
        return written;
    }

    /// <summary>A live read of the copy may be kept at the gateway (a fed meeting's): its owner's reads are renewed after
    /// each write to it, so the next read shows the write.</summary>
    private Task NoteOwnerAsync(long? owner) => owner is { } id ? MeetingOwnerChanges.NoteAsync(db, id) : Task.CompletedTask;

    /// <summary>
    /// One statement for every row (arrays unnested), whatever their number: a row with a <c>segment_id</c> first removes
    /// that segment's row under another start (its start moved).
    /// </summary>
    /// <param name="unlessFinal">Writes nothing once the meeting's final copy is stored (checked in the statement).</param>
    /// <param name="keepPending">A segment not said to be pending stays as pending as it was until it is confirmed (its
    /// <c>created_at</c> is set): the collector's republish of a Teams bot's pending segment does not confirm it.</param>
    private Task<int> UpsertAsync(long meetingId, List<TranscriptSegment> rows, CancellationToken ct, bool unlessFinal = false,
        bool keepPending = false)
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
        var ids = rows.Select(r => r.SegmentId).ToArray();
        var pending = rows.Select(r => r.PendingSpeaker).ToArray();
        var now = rows[0].UpdatedAt;
        // The delete and the insert touch different rows (another start, the pushed start), so one statement holds both.
        return db.Database.ExecuteSqlAsync($"""
            WITH final AS (SELECT 1 FROM meetings WHERE {unlessFinal} AND id = {meetingId} AND transcript_stored_at IS NOT NULL),
            moved AS (
                DELETE FROM transcript_segments t USING unnest({ids}::text[], {keys}::text[]) AS u(id, k)
                WHERE NOT EXISTS (SELECT 1 FROM final) AND t.meeting_id = {meetingId} AND u.id IS NOT NULL
                    AND t.segment_id = u.id AND t.segment_key <> u.k)
            INSERT INTO transcript_segments (meeting_id, segment_key, start, text, speaker, json, updated_at, segment_id, pending_speaker)
            SELECT {meetingId}, k, s, t, sp, j, {now}, id, ps
            FROM unnest({keys}::text[], {starts}::double precision[], {texts}::text[], {speakers}::text[], {jsons}::text[],
                        {ids}::text[], {pending}::text[]) AS u(k, s, t, sp, j, id, ps)
            WHERE NOT EXISTS (SELECT 1 FROM final)
            ON CONFLICT (meeting_id, segment_key) DO UPDATE SET start = excluded.start, text = excluded.text,
                speaker = excluded.speaker, json = excluded.json, updated_at = excluded.updated_at,
                segment_id = coalesce(excluded.segment_id, transcript_segments.segment_id),
                pending_speaker = CASE WHEN {keepPending} AND excluded.pending_speaker IS NULL
                    AND coalesce(excluded.json::jsonb ->> 'created_at', '') = '' THEN transcript_segments.pending_speaker
                    ELSE excluded.pending_speaker END
            """, ct);
    }

    /// <summary>One row per start: the later copy.</summary>
    private static List<TranscriptSegment> Rows(long meetingId, IReadOnlyList<StoredSegment> segments, DateTime now) =>
        segments.Select(s => Row(meetingId, s, now)).GroupBy(r => r.SegmentKey).Select(g => g.Last()).ToList();

    private static TranscriptSegment Overlay(JsonObject stored, TranscriptSegment pushed)
    {
        foreach (var (field, value) in JsonNode.Parse(pushed.Json)!.AsObject())
        {
            stored[field] = value?.DeepClone();
        }
        return Row(pushed.MeetingId, new StoredSegment(stored, pushed.SegmentId, pushed.PendingSpeaker), pushed.UpdatedAt);
    }

    private static TranscriptSegment Row(long meetingId, StoredSegment segment, DateTime now)
    {
        var json = segment.Json;
        var start = json["start"] is JsonValue v && v.TryGetValue<double>(out var s) ? s : 0;
        return new TranscriptSegment
        {
            MeetingId = meetingId,
            // The start to the millisecond, in seconds from the meeting's start, as Vexa 2025-09 keys segments.
            SegmentKey = start.ToString("F3", CultureInfo.InvariantCulture),
            Start = start,
            Text = json["text"] is JsonValue t && t.TryGetValue<string>(out var text) ? text : "",
            Speaker = json["speaker"] is JsonValue sp && sp.TryGetValue<string>(out var speaker) && speaker.Length <= 255 ? speaker : null,
            Json = json.ToJsonString(),
            UpdatedAt = now,
            SegmentId = segment.SegmentId is { Length: > 0 and <= 128 } id ? id : null,
            PendingSpeaker = segment.PendingSpeaker is { Length: <= 255 } pending ? pending : null,
        };
    }
}
