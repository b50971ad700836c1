using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>Counts the queries a service sends to PostgreSQL: all of them, or those whose text contains a word.</summary>
public sealed class QueryCounter(string? containing = null) : DbCommandInterceptor
{
    private int _count;
    public int Count => Volatile.Read(ref _count);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (containing is null || command.CommandText.Contains(containing, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _count);
        }
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}
