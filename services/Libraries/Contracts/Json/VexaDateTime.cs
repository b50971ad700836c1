using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VexaService.Contracts;

/// <summary>
/// Datetimes exactly as Vexa (Python's <c>datetime.isoformat()</c>) writes them: UTC at microsecond precision,
/// six fractional digits, or none when the microseconds are 0. Sub-microsecond ticks are truncated, not rounded,
/// as PostgreSQL's <c>timestamp</c> stores them, so a value reads the same before and after a database round trip.
/// This file is also compiled into the Wholesaler emulator, so both sides of the contract write times one way.
/// </summary>
public static class VexaDateTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static DateTime UtcNow(TimeProvider time) => Truncate(time.GetUtcNow().UtcDateTime);

    /// <summary>The value in UTC with anything below a microsecond dropped.</summary>
    public static DateTime Truncate(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return new DateTime(utc.Ticks - utc.Ticks % TicksPerMicrosecond, DateTimeKind.Utc);
    }

    /// <summary>A naive datetime, as Vexa writes meeting and user times: <c>2025-06-29T10:00:00.123450</c>.</summary>
    public static string Naive(DateTime value)
    {
        var utc = Truncate(value);
        return utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff",
            CultureInfo.InvariantCulture);
    }

    public static string? Naive(DateTime? value) => value is { } v ? Naive(v) : null;

    /// <summary>An aware UTC datetime, as Vexa writes <c>absolute_*_time</c> and bot <c>created_at</c>: <c>...+00:00</c>.</summary>
    public static string WithOffset(DateTime value) => Naive(value) + "+00:00";

    /// <summary>Reads an ISO 8601 datetime, naive (taken as UTC) or with an offset (converted to UTC).</summary>
    public static bool TryParse(string? text, out DateTime utc)
    {
        if (text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utc = Truncate(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
            return true;
        }
        utc = default;
        return false;
    }
}

/// <summary>Writes every <see cref="DateTime"/> the Vexa way (<see cref="VexaDateTime.Naive(DateTime)"/>).</summary>
public sealed class NaiveDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        VexaDateTime.TryParse(reader.GetString(), out var utc) ? utc : throw new JsonException("Not an ISO 8601 datetime.");

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(VexaDateTime.Naive(value));
}
