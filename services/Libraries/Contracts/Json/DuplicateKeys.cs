using System.Text.Json;

namespace VexaService.Contracts;

/// <summary>Finds the first key that occurs twice in one JSON object, at any depth, as its path (keys and indexes).</summary>
public static class DuplicateKeys
{
    public static List<object>? FirstPath(JsonElement element)
    {
        var path = new List<object>();
        return Find(element, path) ? path : null;
    }

    // Recursion is bounded by the parser's depth limit (64): a deeper document never gets here.
    private static bool Find(JsonElement element, List<object> path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                path.Add(property.Name);
                if (!seen.Add(property.Name) || Find(property.Value, path))
                {
                    return true;
                }
                path.RemoveAt(path.Count - 1);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                path.Add(index++);
                if (Find(item, path))
                {
                    return true;
                }
                path.RemoveAt(path.Count - 1);
            }
        }
        return false;
    }
}
