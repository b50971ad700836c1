using System.Globalization;
using Microsoft.AspNetCore.Http;
using VexaService.Contracts;

namespace VexaService.Http;

/// <summary>
/// Integer query and path values read by hand, so a bad one gets Vexa's 422 (pydantic's shape) instead of the
/// framework's bare 400, or a 404 from a route constraint.
/// </summary>
public static class QueryValues
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary><c>skip</c> or its other name <c>offset</c> (default 0), and <c>limit</c> (default 100, at most 1000).</summary>
    public static (int Skip, int Limit, IResult? Error) Paging(HttpRequest request)
    {
        var issues = new List<ValidationIssue>();
        var skip = Read(request, "skip", 0, 0, int.MaxValue, issues);
        var offset = Read(request, "offset", skip, 0, int.MaxValue, issues);
        if (request.Query.ContainsKey("skip") && request.Query.ContainsKey("offset") && offset != skip)
        {
            issues.Add(new ValidationIssue(["query", "offset"], "offset and skip are the same parameter; give one, or the same value",
                "value_error.conflict"));
        }
        var limit = Read(request, "limit", DefaultLimit, 1, MaxLimit, issues);
        return (offset, limit, issues.Count == 0 ? null : new ValidationErrorBody(issues).ToResult());
    }

    /// <summary>
    /// Every value given for <paramref name="name"/> (repeated, or comma-separated), or an issue naming an empty one.
    /// Null when the parameter is absent.
    /// </summary>
    public static (string[]? Values, ValidationIssue? Issue) List(HttpRequest request, string name)
    {
        var raw = request.Query[name];
        if (raw.Count == 0)
        {
            return (null, null);
        }
        var values = raw.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()).ToArray();
        return values.Any(v => v.Length == 0)
            ? (null, new ValidationIssue(["query", name], "ensure this value has at least 1 characters", "value_error.any_str.min_length"))
            : (values.Distinct(StringComparer.Ordinal).ToArray(), null);
    }

    /// <summary>A <c>limit</c> between 1 and <paramref name="max"/>, <paramref name="fallback"/> when absent.</summary>
    public static (int Limit, IResult? Error) Limit(HttpRequest request, int fallback, int max) =>
        Integer(request, "limit", fallback, 1, max);

    /// <summary>An integer <paramref name="name"/> between <paramref name="min"/> and <paramref name="max"/>,
    /// <paramref name="fallback"/> when absent.</summary>
    public static (int Value, IResult? Error) Integer(HttpRequest request, string name, int fallback, int min, int max)
    {
        var issues = new List<ValidationIssue>();
        var value = Read(request, name, fallback, min, max, issues);
        return (value, issues.Count == 0 ? null : new ValidationErrorBody(issues).ToResult());
    }

    /// <summary>A positive integer id from the path, or a 422 naming it.</summary>
    public static (long Id, IResult? Error) PathId(string raw, string name) =>
        long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? (id, null)
            : (0, ValidationErrorBody.Single(["path", name], "value is not a valid integer", "type_error.integer"));

    private static int Read(HttpRequest request, string name, int fallback, int min, int max, List<ValidationIssue> issues)
    {
        var raw = request.Query[name];
        if (raw.Count == 0)
        {
            return fallback;
        }
        if (!int.TryParse(raw[^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            issues.Add(new ValidationIssue(["query", name], "value is not a valid integer", "type_error.integer"));
            return fallback;
        }
        if (value < min || value > max)
        {
            issues.Add(new ValidationIssue(["query", name], $"ensure this value is between {min} and {max}", "value_error.number.not_in_range"));
            return fallback;
        }
        return value;
    }
}
