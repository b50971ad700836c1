using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace VexaService.Data;

/// <summary>
/// Merges into a jsonb <c>data</c> column inside PostgreSQL, in one statement (<c>(data || set) - removed</c>), so that
/// writers of different keys at the same moment (two PATCHes, a PATCH and the webhook relay, an admin PATCH and
/// <c>PUT /user/webhook</c>) keep each other's keys; reading the column, merging here and writing it all back lost them.
/// Shallow, JSON Merge Patch style: a key with null is removed, any other value replaces the key's.
/// The tracked entity takes the merged column as unchanged, so a later SaveChanges never writes the column back.
/// </summary>
public static class DataMerge
{
    public static async Task MergeDataAsync(this VexaDbContext db, User user, JsonObject patch, CancellationToken ct)
    {
        var (set, removed) = Split(patch);
        var merged = await db.Database
            .SqlQuery<string>($"UPDATE users SET data = (data || {set}::jsonb) - {removed} WHERE id = {user.Id} RETURNING data::text AS \"Value\"")
            .ToListAsync(ct);
        Adopt(db.Entry(user).Property(u => u.Data), merged);
    }

    /// <param name="onlyMissing">Adds the patch's keys only where the column lacks them (the webhook relay's rule).</param>
    public static async Task MergeDataAsync(this VexaDbContext db, Meeting meeting, JsonObject patch, CancellationToken ct, bool onlyMissing = false)
    {
        var (set, removed) = Split(patch);
        var merged = await (onlyMissing
            ? db.Database.SqlQuery<string>($"UPDATE meetings SET data = {set}::jsonb || data WHERE id = {meeting.Id} RETURNING data::text AS \"Value\"")
            : db.Database.SqlQuery<string>($"UPDATE meetings SET data = (data || {set}::jsonb) - {removed} WHERE id = {meeting.Id} RETURNING data::text AS \"Value\""))
            .ToListAsync(ct);
        Adopt(db.Entry(meeting).Property(m => m.Data), merged);
        if (merged.Count > 0)
        {
            await MeetingOwnerChanges.NoteAsync(db, meeting.UserId);
        }
    }

    private static (string Set, string[] Removed) Split(JsonObject patch)
    {
        var set = new JsonObject();
        foreach (var (key, value) in patch)
        {
            if (value is not null)
            {
                set[key] = value.DeepClone();
            }
        }
        return (set.ToJsonString(), patch.Where(p => p.Value is null).Select(p => p.Key).ToArray());
    }

    // The queries are not composed (an UPDATE cannot be a subquery), hence lists: empty when the row is gone.
    private static void Adopt<T>(PropertyEntry<T, string> data, List<string> merged) where T : class
    {
        if (merged is [var value])
        {
            data.CurrentValue = value;
            data.OriginalValue = value;
            data.IsModified = false; // setting the current value marked it; writing it back would undo others' merges
        }
    }
}
