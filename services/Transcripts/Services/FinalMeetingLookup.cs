using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.Transcripts.Services;

/// <summary>
/// The hot path of <c>GET /transcripts</c>: which of the caller's meetings is meant (the same rule as
/// <see cref="MeetingStore.FindAsync"/>) and whether it is final, in one lean query. A final meeting's cached bytes
/// can then be served without loading and tracking the entity. Plain ADO.NET on the context's own connection: EF
/// Core's per-command overhead and its Information log line per query were a large share of the request's cost.
/// Any failure answers "unknown", and the caller takes the ordinary path, which reports errors as it always has.
/// </summary>
public static class FinalMeetingLookup
{
    private const string Newest = """
        SELECT id, status FROM meetings
        WHERE user_id = @user AND platform = @platform AND native_meeting_id = @native
        ORDER BY created_at DESC, id DESC
        LIMIT 1
        """;

    private const string Exact = """
        SELECT id, status FROM meetings
        WHERE user_id = @user AND platform = @platform AND native_meeting_id = @native AND id = @id
        """;

    /// <summary>The meant meeting's id when it exists and is final; otherwise (or on any failure) null.</summary>
    public static async Task<long?> FindFinalAsync(VexaDbContext db, long userId, string platform, string nativeId,
        long? meetingId, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = false;
        try
        {
            if (connection.State != ConnectionState.Open)
            {
                await connection.OpenAsync(ct);
                opened = true;
            }
            await using var command = connection.CreateCommand();
            command.CommandText = meetingId is null ? Newest : Exact;
            Add(command, "user", userId);
            Add(command, "platform", platform);
            Add(command, "native", nativeId);
            if (meetingId is { } id)
            {
                Add(command, "id", id);
            }
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            return MeetingStatus.IsFinal(reader.GetString(1)) ? reader.GetInt64(0) : null;
        }
        catch (DbException)
        {
            return null;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
