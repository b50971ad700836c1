using VexaService.BotManager.Apis;
using VexaService.Http;

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
