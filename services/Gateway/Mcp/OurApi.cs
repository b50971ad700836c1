using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using VexaService.Gateway.Auth;
using VexaService.Http;
using VexaService.Keys;

namespace VexaService.Gateway.Mcp;

/// <summary>
/// Our own API, called for the MCP tools as the user whose key the request carried (<see cref="McpKeyMiddleware"/>):
/// the service the gateway routes the path to, with the caller identity the gateway signs for any request, so a tool
/// sees and may do exactly what that user's API calls may. A refusal (any status not 2xx) becomes the tool's error, with
/// the API's <c>detail</c>.
/// </summary>
public sealed class OurApi(IHttpContextAccessor http, IHttpClientFactory clients, CallerToken tokens)
{
    public const string HttpClientName = "mcp-tools";

    /// <summary>Sends the request; the answer's JSON, or throws <see cref="McpException"/> with what the API said.</summary>
    /// <param name="service">As the gateway's routes name it: <c>bot-manager</c> or <c>transcripts</c>.</param>
    /// <param name="scope">The key's scope the call needs (as the gateway's route family for the path).</param>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string service, string path, string scope, object? body, CancellationToken ct)
    {
        var (status, answer) = await TrySendAsync(method, service, path, scope, body, ct);
        return status is >= 200 and < 300 ? answer : throw Refused(status, answer);
    }

    /// <summary>As <see cref="SendAsync"/>, the status and answer whatever they are.</summary>
    public async Task<(int Status, JsonNode? Answer)> TrySendAsync(HttpMethod method, string service, string path, string scope,
        object? body, CancellationToken ct)
    {
        var grant = http.HttpContext?.Items[McpKeyMiddleware.GrantKey] as KeyGrant
            ?? throw new McpException("This request carries no API key.");
        if (!grant.Scopes.Contains(scope))
        {
            throw new McpException($"This API key may not use {service switch { "bot-manager" => "bots", _ => "meetings and transcripts" }}: " +
                $"it lacks the '{scope}' scope (its scopes: {string.Join(", ", grant.Scopes)}).");
        }
        using var request = new HttpRequestMessage(method, $"http://{service}{path}")
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        request.Headers.Add(CallerToken.HeaderName, tokens.Sign(grant.UserId, grant.Scopes));
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? answer = null;
        try
        {
            answer = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            answer = JsonValue.Create(text);
        }
        return ((int)response.StatusCode, answer);
    }

    /// <summary>The tool's error for an answer that is not 2xx: its status and the API's <c>detail</c>.</summary>
    public static McpException Refused(int status, JsonNode? answer) => new(answer?["detail"] switch
    {
        JsonValue detail when detail.TryGetValue<string>(out var text) => $"{status}: {text}",
        JsonNode detail => $"{status}: {detail.ToJsonString()}",
        null => $"{status}: {answer?.ToJsonString() ?? "(no answer)"}",
    });

    /// <summary>A path segment, escaped.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    public static readonly string Bots = ApiScopes.Bots;
    public static readonly string Transcripts = ApiScopes.Transcripts;
}
