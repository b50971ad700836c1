using VexaService.Gateway.Auth;
using VexaService.Gateway.Docs;
using VexaService.Gateway.Live;
using VexaService.Gateway.Mcp;
using VexaService.Gateway.Proxy;
using VexaService.Http;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseForwardedHeaders(); // first: everything after sees the client's address
app.UseDetailErrors();
app.UseCors();
app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapLiveApi();
app.UseMiddleware<McpKeyMiddleware>();
app.MapMcp(McpKeyMiddleware.Path);
app.MapDocsApi();
app.MapGet("/", () => TypedResults.Ok(new { message = "Welcome to the Vexa API Gateway" })).ExcludeFromDescription();
app.MapReverseProxy(proxy =>
{
    proxy.UseMiddleware<ForwarderErrorMiddleware>();
    proxy.UseMiddleware<AdminFailureLimitMiddleware>();
    proxy.UseMiddleware<UserAuthenticationMiddleware>();
});

app.Run();
