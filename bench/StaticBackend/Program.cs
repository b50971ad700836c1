// Serves the documents of Bench:Documents (each scenario's response, captured from the Retailer) from memory:
// GET /<file name> answers that file's bytes, so the floor moves exactly as many bytes per request as the scenario
// it is compared with.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var folder = builder.Configuration["Bench:Documents"] ?? throw new InvalidOperationException("Bench:Documents is required");
var documents = Directory.GetFiles(folder).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);

var app = builder.Build();
app.MapGet("/{name}", (string name) => documents.TryGetValue(name, out var bytes)
    ? Results.Bytes(bytes, "application/json")
    : Results.NotFound());
app.Run();
