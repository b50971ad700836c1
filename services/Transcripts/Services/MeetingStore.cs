using Microsoft.EntityFrameworkCore;
using VexaService.Shared.Data;

namespace VexaService.Transcripts.Services;

/// <summary>The caller's meetings in our database; another user's meeting is simply not found.</summary>
public sealed class MeetingStore(VexaDbContext db)
{
    public Task<List<Meeting>> ListAsync(long userId, int skip, int limit, CancellationToken ct) =>
        db.Meetings.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(skip).Take(limit)
            .ToListAsync(ct);
}
