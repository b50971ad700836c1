using System.Text.Json.Nodes;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>pydantic v1 error entries, with the messages and types it uses.</summary>
public static class PydanticErrors
{
    public static ValidationError Error(string msg, string type, JsonObject? ctx, params object[] loc) =>
        new(Loc(loc), msg, type, ctx);

    public static ValidationError Missing(params object[] loc) => Error("field required", "value_error.missing", null, loc);

    public static ValidationError NoneNotAllowed(params object[] loc) =>
        Error("none is not an allowed value", "type_error.none.not_allowed", null, loc);

    public static ValidationError NotStr(params object[] loc) => Error("str type expected", "type_error.str", null, loc);

    public static ValidationError NotDict(params object[] loc) => Error("value is not a valid dict", "type_error.dict", null, loc);

    public static ValidationError NotList(params object[] loc) => Error("value is not a valid list", "type_error.list", null, loc);

    public static ValidationError NotInteger(params object[] loc) =>
        Error("value is not a valid integer", "type_error.integer", null, loc);

    public static ValidationError NotPlatform(params object[] loc) =>
        Error(Platforms.EnumMessage, "type_error.enum",
            new JsonObject { ["enum_values"] = new JsonArray([.. Platforms.All.Select(p => JsonValue.Create(p))]) }, loc);

    public static ValidationErrorBody Body(params ValidationError[] errors) => new(errors);

    public static IResult Result(params ValidationError[] errors) => TypedResults.UnprocessableEntity(Body(errors));

    private static JsonArray Loc(object[] parts)
    {
        var loc = new JsonArray();
        foreach (var part in parts)
        {
            loc.Add(part switch
            {
                int index => JsonValue.Create(index),
                _ => JsonValue.Create(part.ToString()),
            });
        }
        return loc;
    }
}
