using VexaService.BotManager.Apis;
using VexaService.Shared.Api;
using VexaService.Shared.Errors;
using VexaService.Shared.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDetailErrors();
app.UseCallerIdentity();
app.MapDefaultEndpoints();
app.MapVexaOpenApi();
app.MapBotsApi();

app.Run();
