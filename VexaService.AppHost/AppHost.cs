using VexaService.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: PostgreSQL (database "vexa") and Redis. Containers where a container runtime exists or when
// publishing; local processes from Debian's packages on a machine without one (see DataStores.cs).
var (vexaDb, cache) = builder.AddDataStores();

// Secrets. In run mode each has a generated default kept in user secrets, so a fresh machine starts without prompts.
var adminApiKey = builder.AddSecret("admin-api-key");
var identitySigningKey = builder.AddSecret("identity-signing-key");
var webhookCallbackSecret = builder.AddSecret("webhook-callback-secret");

// The Wholesaler (the real Vexa API, external) or, in run mode without a URL, the bundled emulator.
var wholesaler = builder.AddWholesaler();

// Schema readiness is explicit. Run mode: the migrator applies EF Core migrations and exits; services wait for it.
// Deployed: each service migrates at start under a lock (an exiting container would be restarted for ever there).
var migrator = builder.ExecutionContext.IsRunMode
    ? builder.AddProject<Projects.DbMigrator>("db-migrator").WithReference(vexaDb).WaitForDataStore(vexaDb)
    : null;

var adminApi = builder.AddProject<Projects.AdminApi>("admin-api")
    .DisableForwardedHeaders() // the gateway alone reads X-Forwarded-For, from RateLimit:KnownProxies only
    .WithDataStores(vexaDb, cache, migrator)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithEnvironment("Identity__SigningKey", identitySigningKey)
    .WithHttpHealthCheck("/health");

var botManager = builder.AddProject<Projects.BotManager>("bot-manager")
    .DisableForwardedHeaders() // the gateway alone reads X-Forwarded-For, from RateLimit:KnownProxies only
    .WithDataStores(vexaDb, cache, migrator)
    .WithWholesaler(wholesaler)
    .WithEnvironment("Identity__SigningKey", identitySigningKey)
    .WithHttpHealthCheck("/health");

var transcripts = builder.AddProject<Projects.Transcripts>("transcripts")
    .DisableForwardedHeaders() // the gateway alone reads X-Forwarded-For, from RateLimit:KnownProxies only
    .WithDataStores(vexaDb, cache, migrator)
    .WithWholesaler(wholesaler)
    .WithEnvironment("Identity__SigningKey", identitySigningKey)
    .WithEnvironment("Webhooks__CallbackSecret", webhookCallbackSecret)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .DisableForwardedHeaders() // the gateway alone reads X-Forwarded-For, from RateLimit:KnownProxies only
    .WithDataStores(vexaDb, cache, migrator)
    .WithWholesaler(wholesaler).WithLiveFeed(wholesaler) // live transcripts (/ws) are relayed from the Wholesaler's
    .WithEnvironment("Identity__SigningKey", identitySigningKey)
    .WithReference(adminApi).WaitFor(adminApi)
    .WithReference(botManager).WaitFor(botManager)
    .WithReference(transcripts).WaitFor(transcripts)
    .WithExternalHttpEndpoints()
    .WithConfigSection(builder.Configuration, "RateLimit")
    .WithHttpHealthCheck("/health");

// Where the Wholesaler sends completion webhooks: the Retailer's public address (the gateway in run mode).
transcripts.WithEnvironment("Webhooks__PublicBaseUrl", builder.RetailerPublicUrl(gateway));
if (builder.ExecutionContext.IsRunMode)
{
    // Developers' webhook receivers run on their own machine; deployments refuse private targets (SSRF).
    transcripts.WithEnvironment("Webhooks__AllowPrivateTargets", "true");
}

builder.ShowAdminKeyOnStart(adminApiKey);
builder.ApplyRunTuning();
builder.CheckPortsBeforeStart();
builder.ReportFailedResources();

builder.Build().Run();
