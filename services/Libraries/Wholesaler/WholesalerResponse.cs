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
}

/// <summary>The objects of a Wholesaler list answer, and who gave it.</summary>
public sealed record WholesalerList(List<JsonObject> Items, string Issuer);

/// <summary>One Wholesaler meeting (without segments), and who gave it.</summary>
public sealed record WholesalerMeeting(JsonObject Meeting, string Issuer);
