using System.Net;
using Microsoft.EntityFrameworkCore;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Transcripts;

namespace VexaService.IntegrationTests.Deployment;

/// <summary>
/// How services start where there is no migrator and no orchestrator to wait for (issue 19): each migrates the schema
/// itself (Database:MigrateOnStart), once however many start together, answering only liveness until then; and
/// Transcripts says, through its health, when the Wholesaler has not accepted its webhook callback.
/// </summary>
public sealed class DeployedStartTests
{
    [Fact]
    public async Task Replicas_that_start_together_on_an_empty_database_migrate_it_once_then_serve()
    {
        await using var database = await IsolatedDatabase.CreateAsync(migrated: false);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = database.ConnectionString,
            ["Database:MigrateOnStart"] = "true",
        };
        var replicas = Enumerable.Range(0, 3).Select(_ => new ServiceFactory<AdminApiMarker>(settings)).ToList();
        try
        {
            var clients = await Task.WhenAll(replicas.Select(r => Task.Run(r.CreateClient)));
            await RetailerFixture.WaitUntilAsync(async () =>
            {
                var answers = await Task.WhenAll(clients.Select(c => c.GetAsync("/health")));
                return answers.All(a => a.StatusCode == HttpStatusCode.OK);
            }, timeoutMs: 60_000);

            Assert.All(await Task.WhenAll(clients.Select(c => c.GetStringAsync("/health"))), a => Assert.Equal("Healthy", a));
            await using var db = database.NewDbContext();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            foreach (var client in clients)
            {
                var admin = new AdminClient(client);
                await admin.CreateUserAsync(); // 201 from every replica: the schema is there for each
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Until_the_schema_is_current_only_liveness_answers_and_everything_else_is_503()
    {
        var unreachable = $"Host=127.0.0.1;Port={Loopback.FreePort()};Database=vexa;Username=postgres;Timeout=1";
        await using var service = new ServiceFactory<AdminApiMarker>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:vexadb"] = unreachable,
            ["Database:MigrateOnStart"] = "true",
        });
        var client = service.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health")).StatusCode);
        var refused = await new AdminClient(client).SendAsync(HttpMethod.Get, "/admin/users");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("The service is starting: its database schema is being brought up to date. Retry shortly.", await refused.DetailAsync());
    }

    [Fact]
    public async Task Transcripts_is_degraded_while_the_wholesaler_has_not_accepted_its_callback()
    {
        // No public address configured: the Wholesaler cannot be told where to send webhooks.
        await using var transcripts = new ServiceFactory<TranscriptsMarker>(new Dictionary<string, string?>
        {
            ["Wholesaler:BaseAddress"] = "http://127.0.0.1:9",
            ["Webhooks:DispatcherEnabled"] = "false",
        });
        var health = await transcripts.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode); // Degraded still takes traffic
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
    }
}
