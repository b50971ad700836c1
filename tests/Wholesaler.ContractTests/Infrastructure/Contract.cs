using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wholesaler.ContractTests.Infrastructure;

/// <summary>Assertions on the raw JSON of the contract, and native meeting ids unique per test.</summary>
public static partial class Contract
{
    public const string InvalidPlatformMessage =
        "value is not a valid enumeration member; permitted: 'google_meet', 'zoom', 'teams'";

    /// <summary>Python's <c>isoformat()</c> of a naive datetime.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$")]
    public static partial Regex NaiveIso();

    /// <summary>Python's <c>isoformat()</c> of a UTC-aware datetime.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")]
    public static partial Regex UtcIso();

    public static string GoogleMeetId() =>
        $"{Letters(3)}-{Letters(4)}-{Letters(3)}";

    public static string ZoomId() => Random.Shared.Next(1, 10) + string.Concat(Enumerable.Range(0, 9).Select(_ => Random.Shared.Next(10)));

    public static string TeamsId() => string.Concat(Enumerable.Range(0, 12).Select(_ => Random.Shared.Next(10)));

    private static string Letters(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('a' + Random.Shared.Next(26))));

    public static void HasExactKeys(JsonObject value, params string[] keys) =>
        Assert.Equal(keys.Order(StringComparer.Ordinal), value.Select(p => p.Key).Order(StringComparer.Ordinal));

    public static void IsKind(JsonNode? value, JsonValueKind kind, string field) =>
        Assert.True((value?.GetValueKind() ?? JsonValueKind.Null) == kind, $"{field}: expected {kind}, got {value?.ToJsonString() ?? "null"}");

    public static void IsNaiveIsoOrNull(JsonNode? value, string field)
    {
        if (value is not null)
        {
            Assert.True(NaiveIso().IsMatch(value.GetValue<string>()), $"{field}: not a naive ISO datetime: {value}");
        }
    }

    public static void IsError(ApiResponse response, HttpStatusCode status, string detail)
    {
        Assert.True(response.Status == status, $"expected {(int)status} \"{detail}\", got {response}");
        HasExactKeys(response.Object, "detail");
        Assert.Equal(detail, response.Detail);
    }

    /// <summary>A FastAPI 422 whose first pydantic error has this location, message and type.</summary>
    public static JsonObject IsValidationError(ApiResponse response, string[] loc, string? msg, string type)
    {
        Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, $"expected 422, got {response}");
        HasExactKeys(response.Object, "detail");
        var errors = response.Json["detail"]!.AsArray();
        Assert.NotEmpty(errors);
        var first = errors[0]!.AsObject();
        Assert.Equal(loc, first["loc"]!.AsArray().Select(l => l!.ToString()));
        if (msg is not null)
        {
            Assert.Equal(msg, first["msg"]!.GetValue<string>());
        }
        Assert.Equal(type, first["type"]!.GetValue<string>());
        return first;
    }

    /// <summary>All twelve MeetingResponse fields with their types (contract 9.3).</summary>
    public static void IsMeetingResponse(JsonObject meeting)
    {
        HasExactKeys(meeting, WholesalerTestBase.MeetingFields);
        IsKind(meeting["id"], JsonValueKind.Number, "id");
        IsKind(meeting["user_id"], JsonValueKind.Number, "user_id");
        IsKind(meeting["platform"], JsonValueKind.String, "platform");
        IsKind(meeting["status"], JsonValueKind.String, "status");
        IsKind(meeting["data"], JsonValueKind.Object, "data");
        foreach (var field in new[] { "start_time", "end_time", "created_at", "updated_at" })
        {
            IsNaiveIsoOrNull(meeting[field], field);
        }
        Assert.NotNull(meeting["created_at"]);
    }
}
