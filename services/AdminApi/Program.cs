using VexaService.Shared.Errors;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.UseDetailErrors();
app.MapDefaultEndpoints();

app.Run();
