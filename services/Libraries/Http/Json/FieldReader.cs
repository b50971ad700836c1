using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using VexaService.Contracts;

namespace VexaService.Http;

/// <summary>Typed access to the fields of a JSON body that collects every problem as a pydantic-style issue.</summary>
public sealed class FieldReader(JsonObject body, string root = "body")
{
    private readonly List<ValidationIssue> _issues = [];

    public bool IsValid => _issues.Count == 0;
    public IResult Error() => new ValidationErrorBody(_issues).ToResult();

    public bool Has(string name) => body.ContainsKey(name);

    public void Fail(string name, string msg, string type) => _issues.Add(new ValidationIssue([root, name], msg, type));

    /// <summary>Rejects fields the endpoint does not know, instead of silently ignoring a typo.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var (name, _) in body)
        {
            if (!known.Contains(name))
            {
                Fail(name, "extra fields not permitted", "value_error.extra");
            }
        }
    }

    public string? String(string name, bool required = false, int maxLength = 10_000)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            if (required)
            {
                Fail(name, "field required", "value_error.missing");
            }
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            Fail(name, "str type expected", "type_error.str");
            return null;
        }
        var value = node.GetValue<string>();
        if (value.Length > maxLength)
        {
            Fail(name, $"ensure this value has at most {maxLength} characters", "value_error.any_str.max_length");
            return null;
        }
        return value;
    }

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.Number || !((JsonValue)node).TryGetValue<int>(out var value))
        {
            Fail(name, "value is not a valid integer", "type_error.integer");
            return null;
        }
        if (value < min || value > max)
        {
            Fail(name, $"ensure this value is between {min} and {max}", "value_error.number.not_in_range");
            return null;
        }
        return value;
    }

    public JsonObject? Object(string name, bool required = false)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            if (required)
            {
                Fail(name, "field required", "value_error.missing");
            }
            return null;
        }
        if (node is not JsonObject obj)
        {
            Fail(name, "value is not a valid dict", "type_error.dict");
            return null;
        }
        return obj;
    }

    /// <summary>A list of strings, e.g. <c>participants</c>.</summary>
    public List<string>? StringList(string name)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }
        if (node is not JsonArray array || array.Any(item => item?.GetValueKind() != JsonValueKind.String))
        {
            Fail(name, "value is not a valid list of strings", "type_error.list");
            return null;
        }
        return array.Select(item => item!.GetValue<string>()).ToList();
    }
}
