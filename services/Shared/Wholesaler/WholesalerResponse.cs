using System.Text.Json.Nodes;

namespace VexaService.Shared.Wholesaler;

/// <summary>A Wholesaler answer below 500: its status and JSON body, for the caller to interpret.</summary>
public sealed record WholesalerResponse(int Status, JsonNode? Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public string? Detail => Body is JsonObject obj && obj["detail"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
