using System.Net.Sockets;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace VexaService.Http;

/// <summary>Tells an outage of PostgreSQL (or the network to it) from a bug, anywhere in an exception's chain.</summary>
public static class InfrastructureOutage
{
    public static bool IsOutage(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException or RetryLimitExceededException
                || e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }) // admin shutdown, crash shutdown, starting up
            {
                return true;
            }
        }
        return false;
    }
}
