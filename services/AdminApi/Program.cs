using VexaService.Http;
using VexaService.AdminApi.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDetailErrors();
app.UseCallerIdentity();
app.MapDefaultEndpoints();
app.MapVexaOpenApi();
app.MapAdminUsersApi();
app.MapAdminTokensApi();
app.MapAdminStatsApi();
app.MapUserWebhookApi();
app.MapAuthApi();
app.MapUsageApi();

app.Run();
