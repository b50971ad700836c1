using System.Text.Json.Nodes;

namespace VexaService.Shared.Api;

/// <summary>The jsonb <c>data</c> columns are kept as text; these turn them into JSON objects and back.</summary>
public static class JsonData
{
    public static JsonObject Parse(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonNode.Parse(json) as JsonObject ?? [];

    /// <summary>Shallow merge in JSON Merge Patch style: a key with null removes it, any other value replaces it.</summary>
    public static string Merge(string? current, JsonObject patch)
    {
        var merged = Parse(current);
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }
        return merged.ToJsonString();
    }
}
