using VexaService.Http;
using VexaService.Transcripts.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDetailErrors();
app.UseCallerIdentity();
app.MapDefaultEndpoints();
app.MapVexaOpenApi();
app.MapMeetingsApi();
app.MapTranscriptSearchApi();
app.MapTranscriptsApi();
app.MapWholesalerWebhookApi();
app.MapWebhookDeliveriesApi();

app.Run();
