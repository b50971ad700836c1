using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;
using VexaService.WholesalerEmulator.Models;

namespace VexaService.WholesalerEmulator.Validation;

public enum JsonBodyKind { Missing, Json, NotJson, InvalidJson, Undecodable }

/// <summary>
/// The request body as FastAPI 0.92 sees it: read and JSON-decoded before any dependency (auth) runs, so a JSON
/// syntax error is a 422 even with a bad key, while the model is validated only after auth.
/// Bound by <see cref="BindAsync"/>, which never fails.
/// </summary>
public sealed class JsonBody
{
    public JsonBodyKind Kind { get; private init; }
    public JsonElement Root { get; private init; }
    public ValidationError? DecodeError { get; private init; }

    public static async ValueTask<JsonBody?> BindAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.ToArray();
        if (bytes.Length == 0)
        {
            return new JsonBody { Kind = JsonBodyKind.Missing };
        }
        if (!IsJsonContentType(context.Request.ContentType))
        {
            return new JsonBody { Kind = JsonBodyKind.NotJson };
        }
        if (!Utf8.IsValid(bytes))
        {
            return new JsonBody { Kind = JsonBodyKind.Undecodable };
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Null
                ? new JsonBody { Kind = JsonBodyKind.Missing }
                : new JsonBody { Kind = JsonBodyKind.Json, Root = document.RootElement.Clone() };
        }
        catch (JsonException error)
        {
            return new JsonBody { Kind = JsonBodyKind.InvalidJson, DecodeError = DecodeErrorOf(bytes, error) };
        }
    }

    /// <summary>FastAPI decodes JSON when there is no content type or an <c>application/json</c> or <c>application/*+json</c> one.</summary>
    private static bool IsJsonContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.Type.Value is not { } type
            || media.SubType.Value is not { } subType)
        {
            return false;
        }
        return type.Equals("application", StringComparison.OrdinalIgnoreCase)
            && (subType.Equals("json", StringComparison.OrdinalIgnoreCase)
                || subType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Python's <c>json.JSONDecodeError</c> wrapped by pydantic: loc <c>["body", pos]</c>, type <c>value_error.jsondecode</c>.</summary>
    private static ValidationError DecodeErrorOf(byte[] bytes, JsonException error)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var line = (int)(error.LineNumber ?? 0);
        var bytesInLine = (int)(error.BytePositionInLine ?? 0);
        var lineStart = 0;
        for (var i = 0; i < line && lineStart < bytes.Length; i++)
        {
            var next = Array.IndexOf(bytes, (byte)'\n', lineStart);
            lineStart = next < 0 ? bytes.Length : next + 1;
        }
        var column = Encoding.UTF8.GetCharCount(bytes, lineStart, Math.Min(bytesInLine, bytes.Length - lineStart));
        var pos = Encoding.UTF8.GetCharCount(bytes, 0, lineStart) + column;
        const string reason = "Expecting value";
        return PydanticErrors.Error(
            $"{reason}: line {line + 1} column {column + 1} (char {pos})",
            "value_error.jsondecode",
            new System.Text.Json.Nodes.JsonObject
            {
                ["msg"] = reason,
                ["doc"] = text,
                ["pos"] = pos,
                ["lineno"] = line + 1,
                ["colno"] = column + 1,
            },
            "body", pos);
    }
}
