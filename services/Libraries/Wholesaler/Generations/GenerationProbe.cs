using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace VexaService.Wholesaler.Generations;

/// <summary>Which Vexa answered the probes, and what told.</summary>
public sealed record ProbeResult(WholesalerGeneration Generation, string Evidence);

/// <summary>What <c>GET /auth/me</c> says of our system key (0.12 and 1.5).</summary>
public sealed record SystemKeyGrant(IReadOnlyList<string> Scopes, int? MaxConcurrent);

/// <summary>
/// Tells which Vexa the Wholesaler is, with the cheapest probes first (vexa-0.12.md §1): <c>GET /openapi.json</c> (no
/// key, outside every rate limit) names 0.12 in its title and 1.5 in its version; else <c>GET /</c> (0.12 has none);
/// else <c>GET /transcripts/by-id/0</c> (404 only on 0.12) and <c>GET /auth/me</c> (none before 2026). Its own client,
/// with the system key and without the call budget (a handful of calls at start): the budget depends on the answer.
/// </summary>
public sealed class GenerationProbe(HttpClient http, ILogger<GenerationProbe> logger)
{
    /// <summary>Throws <see cref="HttpRequestException"/> or a timeout when the Wholesaler cannot be reached.</summary>
    public async Task<ProbeResult> DetectAsync(CancellationToken ct)
    {
        var (status, document) = await GetAsync("openapi.json", ct);
        var info = (document as JsonObject)?["info"] as JsonObject;
        var title = WholesalerMeetingJson.Text(info, "title") ?? "";
        var version = WholesalerMeetingJson.Text(info, "version") ?? "";
        if (title.Contains("(v0.12)", StringComparison.Ordinal))
        {
            return new(WholesalerGenerations.Vexa012, $"/openapi.json title \"{title}\"");
        }
        if (version == "1.5.0")
        {
            return new(WholesalerGenerations.Hosted15, $"/openapi.json version {version}");
        }
        var (rootStatus, _) = await GetAsync("", ct);
        if (rootStatus == 404)
        {
            return new(WholesalerGenerations.Vexa012, "no welcome at / (404)");
        }
        var (byIdStatus, _) = await GetAsync("transcripts/by-id/0", ct);
        if (byIdStatus == 404)
        {
            return new(WholesalerGenerations.Vexa012, "/transcripts/by-id/0 answered 404");
        }
        var (meStatus, _) = await GetAsync("auth/me", ct);
        if (meStatus is 200 or 401 or 403)
        {
            return new(WholesalerGenerations.Hosted15, $"/auth/me answered {meStatus}, /transcripts/by-id {byIdStatus}");
        }
        logger.LogDebug("Probes: /openapi.json {Status} \"{Title}\" {Version}, / {Root}, by-id {ById}, /auth/me {Me}",
            status, title, version, rootStatus, byIdStatus, meStatus);
        return new(WholesalerGenerations.September2025, $"welcome at /, no /auth/me ({meStatus})");
    }

    /// <summary>The system key's scopes and bot cap; null when the key is refused (401) or the route missing.</summary>
    public async Task<(int Status, SystemKeyGrant? Grant)> AuthMeAsync(CancellationToken ct)
    {
        var (status, body) = await GetAsync("auth/me", ct);
        if (status != 200 || body is not JsonObject me)
        {
            return (status, null);
        }
        var scopes = (me["scopes"] as JsonArray)?.Select(s => s?.GetValue<string>()).OfType<string>().ToList() ?? [];
        int? cap = me["max_concurrent"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        return (status, new SystemKeyGrant(scopes, cap));
    }

    private async Task<(int Status, JsonNode? Body)> GetAsync(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        JsonNode? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync<JsonNode>(ct);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        catch (NotSupportedException)
        {
        }
        return ((int)response.StatusCode, body);
    }
}
