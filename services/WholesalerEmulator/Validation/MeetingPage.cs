using System.Globalization;

namespace VexaService.WholesalerEmulator.Validation;

/// <summary>0.12's list filters: <c>limit</c> 1..100, <c>offset</c> ≥ 0, one <c>status</c>, one <c>platform</c>.</summary>
/// <param name="Limit">Null: no limit (1.5's <c>GET /meetings</c> without one).</param>
public sealed record MeetingPage(int? Limit, int Offset, string? Status, string? Platform)
{
    public static IResult? TryRead(HttpRequest request, int? defaultLimit, out MeetingPage page)
    {
        page = new MeetingPage(defaultLimit, 0, null, null);
        var query = request.Query;
        int? limit = defaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } rawLimit)
        {
            if (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > 100)
            {
                return PydanticErrors.Result(PydanticErrors.NotInteger("query", "limit"));
            }
            limit = parsed;
        }
        var offset = 0;
        if (query["offset"].ToString() is { Length: > 0 } rawOffset
            && !int.TryParse(rawOffset, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return PydanticErrors.Result(PydanticErrors.NotInteger("query", "offset"));
        }
        page = new MeetingPage(limit, offset, NullIfEmpty(query["status"]), NullIfEmpty(query["platform"]));
        return null;
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        value.ToString() is { Length: > 0 } text ? text : null;
}
