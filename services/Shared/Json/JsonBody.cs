using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using VexaService.Shared.Errors;

namespace VexaService.Shared.Json;

/// <summary>
/// Reads a request body as a JSON object and leaves field checks to <see cref="FieldReader"/>, so that every
/// client mistake (no body, broken JSON, an array instead of an object, a wrong type) gets a 422 in pydantic's
/// shape instead of the framework's bare 400 — and nothing is written before the whole body has been checked.
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > Api.ApiDefaults.MaxRequestBodyBytes)
        {
            return (null, TypedResults.Json(new ErrorBody("Request body too large."), statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        // Read whole (bounded above) and check the encoding first: System.Text.Json only transcodes strings when
        // they are read, so invalid UTF-8 would otherwise surface later as an exception in the middle of a handler.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            return (null, ValidationErrorBody.Single(["body"], "Request body is not valid UTF-8.", "value_error.jsondecode"));
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
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
}
