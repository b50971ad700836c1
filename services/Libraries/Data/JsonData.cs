using System.Text.Json.Nodes;

namespace VexaService.Data;

/// <summary>The jsonb <c>data</c> columns are kept as text; this turns them into JSON objects (merging them is
/// <see cref="DataMerge"/>'s job, in the database).</summary>
public static class JsonData
{
    public static JsonObject Parse(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonNode.Parse(json) as JsonObject ?? [];
}
