using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VexaService.WholesalerEmulator.Models;

/// <summary>FastAPI's error shape with a string detail.</summary>
public sealed record ErrorBody(string Detail);

/// <summary>FastAPI's 422 shape with pydantic v1's error list.</summary>
public sealed record ValidationErrorBody(IReadOnlyList<ValidationError> Detail);

public sealed record ValidationError(
    JsonArray Loc,
    string Msg,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Ctx = null);
