using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace VexaService.IntegrationTests.Infrastructure;

public static class HttpExtensions
{
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string path,
        string? apiKey = null, HttpContent? content = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request);
    }

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!;

    public static async Task<string> DetailAsync(this HttpResponseMessage response) =>
        (await response.JsonAsync())["detail"]!.GetValue<string>();

    public static StringContent RawJson(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
