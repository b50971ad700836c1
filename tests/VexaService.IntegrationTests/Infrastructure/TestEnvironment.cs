using Microsoft.EntityFrameworkCore;
using VexaService.Data;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>
/// The real PostgreSQL and Redis that scripts/test.sh starts (VEXA_TEST_POSTGRES, VEXA_TEST_REDIS), plus the
/// secrets an AppHost would hand the services. The schema is migrated once per test run, as the migrator does.
/// </summary>
public static class TestEnvironment
{
    public const string AdminKey = "integration-admin-key-0123456789abcdef";
    public const string SigningKey = "integration-signing-key-0123456789abcdef0123456789";
    public const string CallbackSecret = "integration-callback-secret-0123456789abcdef";
    public const string WholesalerKey = "integration-wholesaler-key-0123456789abcdef";

    public static string Postgres => Required("VEXA_TEST_POSTGRES");
    public static string Redis => Required("VEXA_TEST_REDIS");

    private static readonly Lazy<Task> Migration = new(async () =>
    {
        await using var db = NewDbContext();
        await db.Database.MigrateAsync();
    });

    public static Task EnsureMigratedAsync() => Migration.Value;

    /// <summary>A context on the shared test database, or on <paramref name="connectionString"/>; with
    /// <paramref name="retryOnFailure"/> it rides out connections that a server restart killed.</summary>
    public static VexaDbContext NewDbContext(string? connectionString = null, bool retryOnFailure = false) =>
        new(new DbContextOptionsBuilder<VexaDbContext>()
            .UseNpgsql(connectionString ?? Postgres, npgsql =>
            {
                if (retryOnFailure)
                {
                    npgsql.EnableRetryOnFailure(3);
                }
            })
            .UseSnakeCaseNamingConvention().Options);

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A user of its own in the shared database, written directly (no admin API in between). The schema is
    /// migrated first: a test class without a fixture may be the run's first to reach the shared database (a fresh CI
    /// run once had MeetingStatusWriterTests find no "users" table).</summary>
    public static async Task<long> NewUserAsync(string prefix)
    {
        await EnsureMigratedAsync();
        await using var db = NewDbContext();
        var user = new User { Email = UniqueEmail(prefix), Data = "{}" };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>A new API key of <paramref name="userId"/>, stored as the admin API stores it (its hash and prefix).</summary>
    public static async Task<string> NewKeyAsync(long userId, DateTime? expiresAt = null, string? database = null)
    {
        var key = string.Concat(Enumerable.Range(0, 40).Select(_ => (char)('a' + Random.Shared.Next(26))));
        if (database is null)
        {
            await EnsureMigratedAsync(); // as NewUserAsync
        }
        await using var db = NewDbContext(database);
        db.ApiTokens.Add(new ApiToken { UserId = userId, TokenHash = VexaService.Keys.ApiKeyHash.Compute(key), TokenPrefix = key[..8], ExpiresAt = expiresAt });
        await db.SaveChangesAsync();
        return key;
    }

    /// <summary>A meeting row's status, read from the shared test database or <paramref name="database"/>.</summary>
    public static async Task<string> MeetingStatusAsync(long meetingId, string? database = null)
    {
        await using var db = NewDbContext(database);
        return (await db.Meetings.SingleAsync(m => m.Id == meetingId)).Status;
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test.sh, which starts PostgreSQL and Redis.");
}
