using VexaService.DbMigrator;
using VexaService.Data;

// Applies the EF Core migrations to the "vexadb" database, then exits; the services wait for it to complete.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddVexaData();
builder.Services.AddHostedService<MigrationWorker>();

builder.Build().Run();
