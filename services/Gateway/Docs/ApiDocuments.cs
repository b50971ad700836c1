using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Http;

namespace VexaService.Gateway.Docs;

/// <summary>
/// The OpenAPI documents users read at the gateway, merged from what each service says of its own endpoints
/// (<see cref="OpenApiDocs.InternalPath"/>): the user API (every route but <c>/admin</c>, plus the gateway's own
/// <c>/ws</c> and the webhooks we send) and the admin API. The gateway's routes decide what is public, so a path is
/// kept only under a prefix the gateway routes to that service. Paths and schemas are sorted, so the same services
/// give the same bytes (the committed copies in <c>docs/</c> are compared with them).
/// </summary>
public sealed class ApiDocuments(IHttpClientFactory clients, TimeProvider time, ILogger<ApiDocuments> logger)
{
    public const string HttpClientName = "openapi";
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(1);

    /// <summary>Which service serves which public path prefixes (as the gateway's ReverseProxy routes say).</summary>
    private static readonly (string Service, string[] Prefixes)[] Sources =
    [
        ("bot-manager", ["/bots"]),
        // GET /bots (the paged meeting list) is Transcripts'; the rest of /bots is BotManager's.
        ("transcripts", ["/meetings", "/transcripts", "/user/webhook/deliveries", "/user/webhook/test", "/bots"]),
        ("admin-api", ["/user/", "/admin/", "/auth/"]),
    ];

    /// <summary>Indented, and without escaping what JSON does not require (the committed copies are read by people).</summary>
    public static readonly JsonSerializerOptions Format = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, string User, string Admin)? _kept;

    /// <summary>The user API's document.</summary>
    /// <exception cref="ApiDocumentsUnavailableException">A service's description could not be read.</exception>
    public async Task<string> UserAsync(CancellationToken ct) => (await MergedAsync(ct)).User;

    /// <summary>The admin API's document.</summary>
    /// <exception cref="ApiDocumentsUnavailableException">A service's description could not be read.</exception>
    public async Task<string> AdminAsync(CancellationToken ct) => (await MergedAsync(ct)).Admin;

    private async Task<(string User, string Admin)> MergedAsync(CancellationToken ct)
    {
        if (_kept is { } kept && time.GetUtcNow() - kept.At < KeptFor)
        {
            return (kept.User, kept.Admin);
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_kept is { } again && time.GetUtcNow() - again.At < KeptFor)
            {
                return (again.User, again.Admin);
            }
            var sources = new List<JsonObject>();
            foreach (var (service, prefixes) in Sources)
            {
                sources.Add(Only(await FetchAsync(service, ct), prefixes));
            }
            var user = Build(sources, admin: false).ToJsonString(Format);
            var admin = Build(sources, admin: true).ToJsonString(Format);
            _kept = (time.GetUtcNow(), user, admin);
            return (user, admin);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonObject> FetchAsync(string service, CancellationToken ct)
    {
        var client = clients.CreateClient(HttpClientName);
        try
        {
            var document = await client.GetFromJsonAsync<JsonObject>($"http://{service}{OpenApiDocs.InternalPath}", ct);
            return document ?? throw new ApiDocumentsUnavailableException(service);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("The OpenAPI document of {Service} could not be read: {Error}", service, e.Message);
            throw new ApiDocumentsUnavailableException(service);
        }
    }

    /// <summary>The service's document with only the paths the gateway routes to it.</summary>
    private static JsonObject Only(JsonObject document, string[] prefixes)
    {
        var paths = new JsonObject();
        foreach (var (path, item) in document["paths"] as JsonObject ?? [])
        {
            var longest = Sources.SelectMany(s => s.Prefixes).Where(p => Routed(path, p)).MaxBy(p => p.Length);
            if (longest is not null && prefixes.Contains(longest))
            {
                // A group's "/" route: users call /bots, as Vexa documents it (routing takes either).
                paths[path.Length > 1 ? path.TrimEnd('/') : path] = item!.DeepClone();
            }
        }
        document["paths"] = paths;
        return document;
    }

    private static bool Routed(string path, string prefix) =>
        prefix.EndsWith('/') ? path.StartsWith(prefix, StringComparison.Ordinal)
            : path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);

    private static JsonObject Build(List<JsonObject> sources, bool admin)
    {
        var paths = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var schemas = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var (path, item) in (JsonObject)source["paths"]!)
            {
                if (path.StartsWith("/admin/", StringComparison.Ordinal) != admin)
                {
                    continue;
                }
                if (paths.TryGetValue(path, out var served) && served is JsonObject operations)
                {
                    // One path, its methods served by two services (/bots): one item with all of them.
                    foreach (var (method, operation) in (JsonObject)item!)
                    {
                        operations[method] = operation?.DeepClone();
                    }
                }
                else
                {
                    paths[path] = item!.DeepClone();
                }
            }
            foreach (var (name, schema) in source["components"]?["schemas"] as JsonObject ?? [])
            {
                schemas.TryAdd(name, schema!.DeepClone());
            }
        }
        var document = admin ? GatewayApiDescription.Admin() : GatewayApiDescription.User();
        document["openapi"] = sources.Select(s => s["openapi"]?.DeepClone()).FirstOrDefault(v => v is not null) ?? document["openapi"]?.DeepClone();
        var allPaths = (JsonObject)document["paths"]!;
        foreach (var (path, item) in paths)
        {
            allPaths[path] = item;
        }
        document["paths"] = Sorted(allPaths);
        foreach (var operation in Operations(allPaths))
        {
            operation.Remove("security"); // the document's own requirement applies to every operation
        }
        var components = (JsonObject)document["components"]!;
        var own = components["schemas"] as JsonObject ?? [];
        foreach (var (name, schema) in own)
        {
            schemas[name] = schema!.DeepClone();
        }
        components["schemas"] = Referenced(document, schemas);
        return document;
    }

    private static IEnumerable<JsonObject> Operations(JsonObject paths) =>
        paths.Select(p => p.Value).OfType<JsonObject>().SelectMany(item => item.Select(o => o.Value).OfType<JsonObject>());

    private static JsonObject Sorted(JsonObject paths)
    {
        var sorted = new JsonObject();
        foreach (var (path, item) in paths.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            paths.Remove(path);
            sorted[path] = item;
        }
        return sorted;
    }

    /// <summary>The schemas the document refers to, directly or through other schemas, sorted by name.</summary>
    private static JsonObject Referenced(JsonObject document, Dictionary<string, JsonNode> schemas)
    {
        const string prefix = "#/components/schemas/";
        var wanted = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<JsonNode>([document["paths"]!, document["webhooks"] ?? new JsonObject()]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var reference in References(node))
            {
                if (reference.StartsWith(prefix, StringComparison.Ordinal) && reference[prefix.Length..] is var name
                    && schemas.TryGetValue(name, out var schema) && wanted.Add(name))
                {
                    queue.Enqueue(schema);
                }
            }
        }
        var result = new JsonObject();
        foreach (var name in wanted)
        {
            result[name] = schemas[name].DeepClone();
        }
        return result;
    }

    private static IEnumerable<string> References(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var reference))
                    {
                        yield return reference;
                    }
                    else if (value is not null)
                    {
                        foreach (var inner in References(value))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
            case JsonArray a:
                foreach (var item in a.OfType<JsonNode>())
                {
                    foreach (var inner in References(item))
                    {
                        yield return inner;
                    }
                }
                break;
        }
    }
}

/// <summary>A service's own OpenAPI document could not be read (it is down or starting).</summary>
public sealed class ApiDocumentsUnavailableException(string service)
    : Exception($"The API description of {service} is not available right now. Please retry later.");
