using VexaService.Shared.Errors;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.UseDetailErrors();
app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Ok(new { message = "Welcome to the Vexa API Gateway" }));
app.MapReverseProxy();

app.Run();

