using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.Transcripts.Services;

/// <summary>The caller's meetings in our database; another user's meeting is simply not found.</summary>
public sealed class MeetingStore(VexaDbContext db)
{
    /// <summary>
    /// A page of the caller's meetings, newest first (ties by id, so pages never overlap), optionally only those in one
    /// of <paramref name="statuses"/> or on one of <paramref name="platforms"/>; read-only (tracking a page of entities
    /// was an eighth of a listing's CPU).
    /// </summary>
    public Task<List<Meeting>> ListAsync(long userId, int skip, int limit, CancellationToken ct,
        string[]? statuses = null, string[]? platforms = null)
    {
        var mine = db.Meetings.AsNoTracking().Where(m => m.UserId == userId);
        if (statuses is not null)
        {
            mine = mine.Where(m => statuses.Contains(m.Status));
        }
        if (platforms is not null)
        {
            mine = mine.Where(m => platforms.Contains(m.Platform));
        }
        return mine.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Skip(skip).Take(limit).ToListAsync(ct);
    }

    /// <summary>The caller's meeting with our id <paramref name="meetingId"/>; another user's is not found.</summary>
    public Task<Meeting?> GetAsync(long userId, long meetingId, CancellationToken ct) =>
        db.Meetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId && m.UserId == userId, ct);

    /// <summary>
    /// The caller's newest meeting on this platform and native id (Vexa's rule), or with <paramref name="meetingId"/>
    /// exactly that one of ours, which must also match the caller, platform and native id.
    /// </summary>
    public Task<Meeting?> FindAsync(long userId, string platform, string nativeId, long? meetingId, CancellationToken ct)
    {
        var mine = db.Meetings.Where(m => m.UserId == userId && m.Platform == platform && m.NativeMeetingId == nativeId);
        if (meetingId is { } id)
        {
            mine = mine.Where(m => m.Id == id);
        }
        return mine.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstOrDefaultAsync(ct);
    }

    public Task SaveAsync() => db.SaveChangesAsync(CancellationToken.None);

    /// <summary>Merges into the meeting's <c>data</c> in the database (see <see cref="DataMerge"/>); not abandoned half-way.</summary>
    public Task MergeDataAsync(Meeting meeting, System.Text.Json.Nodes.JsonObject patch) => db.MergeDataAsync(meeting, patch, CancellationToken.None);

    public static string NotFound(string platform, string nativeId) => $"Meeting not found for platform {platform} and ID {nativeId}";

    public const string NotFoundById = "Meeting not found";
}
