using Microsoft.EntityFrameworkCore;
using Npgsql;
using VexaService.Data;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>A database of its own on the test server (migrated, unless asked not to), dropped afterwards.</summary>
public sealed class IsolatedDatabase : IAsyncDisposable
{
    private readonly string _name;

    private IsolatedDatabase(string name) =>
        (_name, ConnectionString) = (name, new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = name }.ConnectionString);

    public string ConnectionString { get; }

    public static async Task<IsolatedDatabase> CreateAsync(bool migrated = true)
    {
        var database = new IsolatedDatabase($"vexa_test_{Guid.NewGuid():N}"[..24]);
        await Admin($"CREATE DATABASE {database._name}");
        if (migrated)
        {
            await using var db = database.NewDbContext();
            await db.Database.MigrateAsync();
            // Every stack shares the test Redis, whose keys name our ids (a transcript's cached bytes by meeting id, a
            // route by user id): a database of its own numbers from its own random point, so that its meeting 3 is no
            // other stack's meeting 3 there.
            var start = Random.Shared.NextInt64(1, 1_000_000) * 1_000_000_000L;
            await db.Database.ExecuteSqlAsync(
                $"SELECT setval(format('%I.%I', schemaname, sequencename), {start}) FROM pg_sequences WHERE schemaname = 'public' AND data_type = 'bigint'::regtype");
        }
        return database;
    }

    public VexaDbContext NewDbContext() => TestEnvironment.NewDbContext(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Admin($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static async Task Admin(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
