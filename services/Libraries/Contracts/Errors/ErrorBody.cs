using System.Text.Json.Serialization;

namespace VexaService.Contracts;

/// <summary>The one error shape of the API, as Vexa (FastAPI) sends it: <c>{"detail": ...}</c>.</summary>
public sealed record ErrorBody([property: JsonPropertyName("detail")] string Detail);
