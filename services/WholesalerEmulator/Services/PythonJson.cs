using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>
/// JSON as Python's <c>json.dumps</c> writes it by default (separators <c>", "</c> and <c>": "</c>, non-ASCII escaped as
/// <c>\uXXXX</c>): the bytes Vexa 0.12 signs its webhooks over. A receiver that re-serialises before checking the
/// signature fails on these, as it would on Vexa's.
/// </summary>
public static class PythonJson
{
    public static string Dumps(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj)
                {
                    text.Append(first ? "" : ", ");
                    first = false;
                    String(text, key);
                    text.Append(": ");
                    Write(text, value);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                String(text, value.GetValue<string>());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number)
                && !value.TryGetValue<long>(out _):
                // Python's repr of a float: shortest round trip, always with a fraction or an exponent.
                var repr = number.ToString("R", CultureInfo.InvariantCulture);
                text.Append(repr.Contains('.') || repr.Contains('E') ? repr.Replace("E", "e") : repr + ".0");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    private static void String(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < 0x20 || c > 0x7e => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        text.Append('"');
    }
}
