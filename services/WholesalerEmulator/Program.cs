using VexaService.WholesalerEmulator.Apis;
using VexaService.WholesalerEmulator.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseInstanceHeader();
app.UseVexaErrorResponses();
app.UseEmulatorStatsAndFaults();

app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapRootApi();
app.MapBotsApi();
app.MapMeetingsApi();
app.MapTranscriptsApi();
app.MapUserApi();
app.MapEmulatorControlApi();
app.MapLiveApi();

app.Run();
