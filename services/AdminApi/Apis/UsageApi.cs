using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using VexaService.AdminApi.Services;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;
using VexaService.Http.Caching;

namespace VexaService.AdminApi.Apis;

/// <summary>
/// Bot time for billing: <c>GET /user/usage</c> (the caller's own, per platform, per day and per meeting) and
/// <c>GET /admin/usage</c> (per user, as JSON or CSV). Ranges are whole UTC days, <c>from</c> and <c>to</c> included;
/// the default is this month so far.
/// </summary>
public static class UsageApi
{
    public const int MaxDays = 366;

    private const string CsvHeader = "user_id,email,bot_seconds,bot_minutes,meetings,running,deleted,failed_starts\n";

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/user").WithTags("User").RequireCaller("Invalid API Key")
            .MapGet("/usage", UserUsage).WithName("GetUsage")
            .WithSummary("The caller's bot time over UTC days (from, to; default this month): total, per platform, per day, per meeting")
            .WithRange().Produces<UsageView>().ProducesDetail(401, 403, 422, 429);
        app.MapGroup("/admin").WithTags("Admin").RequireAdminKey()
            .MapGet("/usage", AdminUsage).WithName("GetUsageByUser")
            .WithSummary("Bot time per user over UTC days (from, to; default this month); format=csv for billing exports")
            .WithRange().WithQuery("format", "json (default) or csv")
            .Produces<AdminUsageView>().ProducesDetail(403, 422, 429)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Responses?["200"].Content?.Add("text/csv", new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "format=csv: " + CsvHeader.TrimEnd('\n') },
                });
                return Task.CompletedTask;
            });
        return app;
    }

    private static RouteHandlerBuilder WithRange(this RouteHandlerBuilder builder) =>
        builder.WithQuery("from", "First UTC day, YYYY-MM-DD (default: the first of this month)")
            .WithQuery("to", "Last UTC day, included, YYYY-MM-DD (default: today)");

    public sealed record UsageTotals(long BotSeconds, double BotMinutes, int Meetings);

    public sealed record PlatformUsage(string Platform, long BotSeconds, double BotMinutes, int Meetings);

    public sealed record DayUsage(string Date, long BotSeconds, double BotMinutes, int Meetings);

    public sealed record MeetingUsageView(
        long MeetingId, string Platform, string? NativeMeetingId, string Status, DateTime? StartTime, DateTime? EndTime,
        long BotSeconds, double BotMinutes, bool Running, bool Deleted);

    public sealed record UsageView(
        string From, string To, long BotSeconds, double BotMinutes, int Meetings, int Running, int Deleted, int FailedStarts,
        IReadOnlyList<PlatformUsage> ByPlatform, IReadOnlyList<DayUsage> ByDay, IReadOnlyList<MeetingUsageView> MeetingsUsed);

    public sealed record UserUsageLine(
        long UserId, string? Email, long BotSeconds, double BotMinutes, int Meetings, int Running, int Deleted, int FailedStarts);

    public sealed record AdminUsageView(string From, string To, IReadOnlyList<UserUsageLine> Users);

    public static async Task<IResult> UserUsage(Caller caller, HttpRequest request, UsageReport report, TimeProvider time, CancellationToken ct)
    {
        var (range, error) = ReadRange(request, time);
        if (error is not null)
        {
            return error;
        }
        var usage = (await report.ReadAsync(range!, caller.UserId, ct)).SingleOrDefault()
            ?? new UsageReport.UserUsage(caller.UserId, [], 0);
        var lines = usage.Meetings;
        if (!usage.GrowsWithTime) // a running bot's time grows by the second; otherwise only a write changes this, or midnight
        {
            var now = time.GetUtcNow();
            EdgeKeep.For(request.HttpContext, now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime);
        }
        return TypedResults.Ok(new UsageView(
            UsageReport.Day(range!.From), UsageReport.Day(range.To), usage.BotSeconds, UsageReport.Minutes(usage.BotSeconds),
            lines.Count, lines.Count(IsRunning), lines.Count(l => l.Meeting.DeletedAt is not null), usage.FailedStarts,
            lines.GroupBy(l => l.Meeting.Platform).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new PlatformUsage(g.Key, g.Sum(l => l.BotSeconds), UsageReport.Minutes(g.Sum(l => l.BotSeconds)), g.Count()))
                .ToList(),
            lines.SelectMany(l => l.SecondsByDay).GroupBy(d => d.Key).OrderBy(g => g.Key)
                .Select(g => new DayUsage(UsageReport.Day(g.Key), g.Sum(d => d.Value), UsageReport.Minutes(g.Sum(d => d.Value)), g.Count()))
                .ToList(),
            lines.Select(l => new MeetingUsageView(l.Meeting.MeetingId, l.Meeting.Platform, l.Meeting.NativeMeetingId, l.Meeting.Status,
                l.Meeting.StartTime, l.Meeting.EndTime, l.BotSeconds, UsageReport.Minutes(l.BotSeconds), IsRunning(l),
                l.Meeting.DeletedAt is not null)).ToList()));
    }

    public static async Task<IResult> AdminUsage(HttpRequest request, UsageReport report, VexaDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (range, error) = ReadRange(request, time);
        var format = request.Query["format"].LastOrDefault() ?? "json";
        if (format is not ("json" or "csv"))
        {
            var issue = new ValidationIssue(["query", "format"], "value is not a valid enumeration member; permitted: 'json', 'csv'", "type_error.enum");
            return new ValidationErrorBody([issue]).ToResult();
        }
        if (error is not null)
        {
            return error;
        }
        var usage = await report.ReadAsync(range!, null, ct);
        var ids = usage.Select(u => u.UserId).ToList();
        var emails = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
        var lines = usage.Select(u => new UserUsageLine(u.UserId, emails.GetValueOrDefault(u.UserId), u.BotSeconds,
            UsageReport.Minutes(u.BotSeconds), u.Meetings.Count, u.Meetings.Count(IsRunning), u.Meetings.Count(l => l.Meeting.DeletedAt is not null),
            u.FailedStarts)).ToList();
        if (format == "csv")
        {
            var fileName = $"usage-{UsageReport.Day(range!.From)}-{UsageReport.Day(range.To)}.csv";
            return TypedResults.File(Encoding.UTF8.GetBytes(Csv(lines)), "text/csv; charset=utf-8", fileName);
        }
        return TypedResults.Ok(new AdminUsageView(UsageReport.Day(range!.From), UsageReport.Day(range.To), lines));
    }

    private static bool IsRunning(UsageReport.MeetingLine line) => line.Meeting.EndTime is null && MeetingStatus.IsLive(line.Meeting.Status);

    public static string Csv(IEnumerable<UserUsageLine> lines)
    {
        var csv = new StringBuilder(CsvHeader);
        foreach (var l in lines)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{l.UserId},{CsvText(l.Email)},{l.BotSeconds},{l.BotMinutes.ToString("0.00", CultureInfo.InvariantCulture)},{l.Meetings},{l.Running},{l.Deleted},{l.FailedStarts}\n");
        }
        return csv.ToString();
    }

    /// <summary>Quoted when needed; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.</summary>
    private static string CsvText(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && "=+-@".Contains(text[0]))
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    private static (UsageReport.Range? Range, IResult? Error) ReadRange(HttpRequest request, TimeProvider time)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var issues = new List<ValidationIssue>();
        var from = Day(request, "from", new DateOnly(today.Year, today.Month, 1), issues);
        var to = Day(request, "to", today, issues);
        if (issues.Count == 0 && from > to)
        {
            issues.Add(new ValidationIssue(["query", "to"], "to must not be before from", "value_error.date.range"));
        }
        if (issues.Count == 0 && to.DayNumber - from.DayNumber + 1 > MaxDays)
        {
            issues.Add(new ValidationIssue(["query", "to"], $"a range is at most {MaxDays} days", "value_error.date.range"));
        }
        return issues.Count > 0 ? (null, new ValidationErrorBody(issues).ToResult()) : (new UsageReport.Range(from, to), null);
    }

    private static DateOnly Day(HttpRequest request, string name, DateOnly fallback, List<ValidationIssue> issues)
    {
        if (request.Query[name].LastOrDefault() is not { } raw)
        {
            return fallback;
        }
        if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        issues.Add(new ValidationIssue(["query", name], "invalid date format: YYYY-MM-DD", "value_error.date"));
        return fallback;
    }
}
