using System.Text.Json;
using VexaService.WholesalerEmulator.Models;
using VexaService.WholesalerEmulator.Services;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>Reads fields of a JSON body the way pydantic v1 validates them, collecting every error in field order.</summary>
public sealed class BodyReader
{
    private readonly List<ValidationError> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public ValidationErrorBody Errors => new(_errors);

    /// <summary>The body of a single (non-embedded) body model: missing is "field required", anything but an object "not a valid dict".</summary>
    public bool TryRoot(JsonBody body, out JsonElement root)
    {
        root = body.Root;
        if (body.Kind == JsonBodyKind.Missing)
        {
            _errors.Add(PydanticErrors.Missing("body"));
            return false;
        }
        if (body.Kind != JsonBodyKind.Json || root.ValueKind != JsonValueKind.Object)
        {
            _errors.Add(PydanticErrors.NotDict("body"));
            return false;
        }
        return true;
    }

    /// <summary>A <c>str</c> or <c>Optional[str]</c> field; numbers and booleans are coerced like pydantic v1 does.</summary>
    public string? Str(JsonElement parent, string name, bool required, params object[] loc)
    {
        if (!TryValue(parent, name, required, loc, out var value))
        {
            return null;
        }
        var text = AsStr(value);
        if (text is null)
        {
            _errors.Add(PydanticErrors.NotStr(loc));
        }
        return text;
    }

    public string? Platform(JsonElement parent, string name, params object[] loc)
    {
        if (!TryValue(parent, name, required: true, loc, out var value))
        {
            return null;
        }
        var platform = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (!Platforms.IsValid(platform))
        {
            _errors.Add(PydanticErrors.NotPlatform(loc));
            return null;
        }
        return platform;
    }

    /// <summary>An <c>Optional[List[str]]</c> field.</summary>
    public List<string>? StrList(JsonElement parent, string name, params object[] loc)
    {
        if (!TryValue(parent, name, required: false, loc, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            _errors.Add(PydanticErrors.NotList(loc));
            return null;
        }
        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            object[] itemLoc = [.. loc, index++];
            if (item.ValueKind == JsonValueKind.Null)
            {
                _errors.Add(PydanticErrors.NoneNotAllowed(itemLoc));
            }
            else if (AsStr(item) is { } text)
            {
                items.Add(text);
            }
            else
            {
                _errors.Add(PydanticErrors.NotStr(itemLoc));
            }
        }
        return items;
    }

    /// <summary>A required nested model: present, not null, an object.</summary>
    public bool TryObject(JsonElement parent, string name, out JsonElement value, params object[] loc)
    {
        if (!TryValue(parent, name, required: true, loc, out value))
        {
            return false;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add(PydanticErrors.NotDict(loc));
            return false;
        }
        return true;
    }

    public void Add(ValidationError error) => _errors.Add(error);

    /// <summary>False when the field is absent or null (adding the error if the field is required).</summary>
    private bool TryValue(JsonElement parent, string name, bool required, object[] loc, out JsonElement value)
    {
        if (!parent.TryGetProperty(name, out value))
        {
            if (required)
            {
                _errors.Add(PydanticErrors.Missing(loc));
            }
            return false;
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                _errors.Add(PydanticErrors.NoneNotAllowed(loc));
            }
            return false;
        }
        return true;
    }

    private static string? AsStr(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => null,
    };
}
