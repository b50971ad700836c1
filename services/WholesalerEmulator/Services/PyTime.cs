using System.Globalization;

namespace VexaService.WholesalerEmulator.Services;

/// <summary>UTC time at microsecond precision, formatted like Python's <c>datetime.isoformat()</c>.</summary>
public static class PyTime
{
    public static DateTime UtcNow(TimeProvider time) => Truncate(time.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);

    /// <summary>A naive datetime: <c>2025-06-29T10:00:00.123456</c> (fraction left out when zero, as Python does).</summary>
    public static string Naive(DateTime utc)
    {
        var value = Truncate(utc);
        return value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff",
            CultureInfo.InvariantCulture);
    }

    public static string? Naive(DateTime? utc) => utc is { } value ? Naive(value) : null;

    /// <summary>An aware UTC datetime: <c>2025-06-29T10:00:00.123456+00:00</c>.</summary>
    public static string WithOffset(DateTime utc) => Naive(utc) + "+00:00";
}
