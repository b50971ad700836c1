using System.Text.Json.Nodes;

namespace VexaService.Wholesaler;

/// <summary>
/// A Wholesaler answer below 500: its status and JSON body, for the caller to interpret, and who gave it
/// (<see cref="WholesalerIdentity"/>): the ids in it mean something only to that issuer.
/// </summary>
public sealed record WholesalerResponse(int Status, JsonNode? Body, string Issuer)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public string? Detail => Body is JsonObject obj && obj["detail"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>
    /// The <c>detail</c> text of an answer not read yet, leaving it readable: the body is buffered and read as bytes (read
    /// as a stream, a buffered body is closed for whoever reads it next). Null when there is none.
    /// </summary>
    public static async Task<string?> DetailOfAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(ct);
            return JsonNode.Parse(await response.Content.ReadAsByteArrayAsync(ct))?["detail"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>The objects of a Wholesaler list answer, and who gave it.</summary>
public sealed record WholesalerList(List<JsonObject> Items, string Issuer);

/// <summary>One Wholesaler meeting (without segments), and who gave it.</summary>
public sealed record WholesalerMeeting(JsonObject Meeting, string Issuer);
