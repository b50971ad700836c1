using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace VexaService.Contracts;

/// <summary>One entry of a 422 body in pydantic v1's form, which Vexa clients parse:
/// <c>{"detail": [{"loc": ["body", "email"], "msg": "...", "type": "..."}]}</c>.</summary>
public sealed record ValidationIssue(
    [property: JsonPropertyName("loc")] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type);

public sealed record ValidationErrorBody([property: JsonPropertyName("detail")] IReadOnlyList<ValidationIssue> Detail)
{
    public IResult ToResult() => TypedResults.Json(this, statusCode: StatusCodes.Status422UnprocessableEntity);

    public static IResult Single(IReadOnlyList<object> loc, string msg, string type) =>
        new ValidationErrorBody([new ValidationIssue(loc, msg, type)]).ToResult();
}
