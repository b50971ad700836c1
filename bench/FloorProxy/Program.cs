using Yarp.ReverseProxy.Configuration;

// A bare YARP hop in front of Bench:Backend (the static backend): the cost of proxying alone, which the gateway
// adds authentication, rate limiting and a second service to.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var backend = builder.Configuration["Bench:Backend"] ?? throw new InvalidOperationException("Bench:Backend is required");

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = backend } },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
