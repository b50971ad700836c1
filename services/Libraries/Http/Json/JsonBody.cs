using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using VexaService.Contracts;

namespace VexaService.Http;

/// <summary>
/// Reads a request body as a JSON object and leaves field checks to <see cref="FieldReader"/>, so that every
/// client mistake (no body, broken JSON, a duplicate key, an array instead of an object, a wrong type) gets a 422 in pydantic's
/// shape instead of the framework's bare 400 — and nothing is written before the whole body has been checked.
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        var (bytes, tooLarge) = await ReadBytesAsync(request, ct);
        return tooLarge is not null ? (null, tooLarge) : ParseObject(request.ContentType, bytes);
    }

    /// <summary>
    /// The request body whole, as it came (for a caller that needs its bytes, such as a signature check), or a 413 when it
    /// declares more than <see cref="ApiDefaults.MaxRequestBodyBytes"/> (a body that grows past it without saying so is
    /// stopped by Kestrel's own limit, the same number).
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Bytes, IResult? Error)> ReadBytesAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > ApiDefaults.MaxRequestBodyBytes)
        {
            return (default, TypedResults.Json(new ErrorBody("Request body too large."), statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }

    /// <summary>As <see cref="ReadObjectAsync"/>, for a body already read (whose bytes a caller needed as they came).</summary>
    public static (JsonObject? Body, IResult? Error) ParseObject(string? contentType, ReadOnlyMemory<byte> bytes)
    {
        // As FastAPI: a body declared as anything but JSON is not parsed as JSON (a text/plain POST is also what a
        // browser may send cross-site without asking first).
        if (contentType is not null && !IsJson(contentType))
        {
            return (null, ValidationErrorBody.Single(["body"], "value is not a valid dict", "type_error.dict"));
        }
        // Read whole (bounded by the caller) and check the encoding first: System.Text.Json only transcodes strings when
        // they are read, so invalid UTF-8 would otherwise surface later as an exception in the middle of a handler.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return (null, ValidationErrorBody.Single(["body"], "Request body is not valid UTF-8.", "value_error.jsondecode"));
        }
        JsonNode? node;
        try
        {
            // A JsonObject only notices a duplicate key when a handler first touches it (an ArgumentException, a 500),
            // so the whole document is checked first, within the same depth limit (64) as the parse.
            using (var document = JsonDocument.Parse(bytes))
            {
                if (DuplicateKeys.FirstPath(document.RootElement) is { } path)
                {
                    return (null, ValidationErrorBody.Single(["body", .. path], "duplicate key in a JSON object", "value_error.duplicate_key"));
                }
            }
            node = JsonNode.Parse(bytes.Span);
        }
        catch (JsonException e)
        {
            return (null, ValidationErrorBody.Single(["body", (int)(e.BytePositionInLine ?? 0)],
                "Request body is not valid JSON.", "value_error.jsondecode"));
        }
        return node switch
        {
            JsonObject obj => (obj, null),
            null => (null, ValidationErrorBody.Single(["body"], "field required", "value_error.missing")),
            _ => (null, ValidationErrorBody.Single(["body"], "value is not a valid dict", "type_error.dict")),
        };
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Value is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
            && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
