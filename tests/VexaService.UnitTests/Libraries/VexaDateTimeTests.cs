using System.Text.Json;
using VexaService.Contracts;

namespace VexaService.UnitTests.Libraries;

/// <summary>Datetimes as Python's <c>isoformat()</c> writes them: 6 fractional digits, none at whole seconds, truncated.</summary>
public class VexaDateTimeTests
{
    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);

    private static readonly long Base = new DateTime(2026, 11, 30, 20, 50, 35, DateTimeKind.Utc).Ticks;

    public static TheoryData<long, string> Cases => new()
    {
        { 0, "2026-11-30T20:50:35" },                                  // whole second: no fraction at all
        { 330_130, "2026-11-30T20:50:35.033013" },                     // 33,013 µs
        { 331_300, "2026-11-30T20:50:35.033130" },                     // trailing zero kept (the flaky test's value)
        { 5_000_000, "2026-11-30T20:50:35.500000" },                   // half a second: six digits, not ".5"
        { 10, "2026-11-30T20:50:35.000001" },                          // one microsecond
        { 9, "2026-11-30T20:50:35" },                                  // 900 ns: below a microsecond, truncated to the second
        { 1_784_457, "2026-11-30T20:50:35.178445" },                   // 100 ns ticks: truncated, not rounded (…4457 → …445)
        { 9_999_999, "2026-11-30T20:50:35.999999" },                   // never rounds up into the next second
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Naive_writes_six_digits_or_none_truncated(long ticksAfterSecond, string expected)
    {
        Assert.Equal(expected, VexaDateTime.Naive(Utc(Base + ticksAfterSecond)));
        Assert.Equal(expected + "+00:00", VexaDateTime.WithOffset(Utc(Base + ticksAfterSecond)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_registered_converter_writes_the_same_text_for_DateTime_and_nullable_DateTime(long ticksAfterSecond, string expected)
    {
        var value = Utc(Base + ticksAfterSecond);
        var json = JsonSerializer.Serialize(new Sample(value, value, null), VexaJson.Options);
        Assert.Equal($$"""{"created_at":"{{expected}}","end_time":"{{expected}}","start_time":null}""", json);
    }

    [Fact]
    public void Unspecified_and_local_kinds_are_written_as_the_UTC_instant()
    {
        var utc = Utc(Base + 331_300);
        Assert.Equal("2026-11-30T20:50:35.033130", VexaDateTime.Naive(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified)));
        Assert.Equal("2026-11-30T20:50:35.033130", VexaDateTime.Naive(utc.ToLocalTime()));
    }

    [Theory]
    [InlineData("2026-11-30T20:50:35.03313", 331_300)]          // what .NET's default writer sent before
    [InlineData("2026-11-30T20:50:35.033130", 331_300)]
    [InlineData("2026-11-30T20:50:35.0331304", 331_300)]        // 7 digits: truncated on the way in too
    [InlineData("2026-11-30T20:50:35", 0)]
    [InlineData("2026-11-30T21:50:35.5+01:00", 5_000_000)]      // an offset is converted to UTC
    [InlineData("2026-11-30T20:50:35.5Z", 5_000_000)]
    public void Parse_reads_any_precision_and_offset_as_UTC(string text, long ticksAfterSecond)
    {
        Assert.True(VexaDateTime.TryParse(text, out var utc));
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(Utc(Base + ticksAfterSecond), utc);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    public void Parse_refuses_what_is_not_a_datetime(string? text) => Assert.False(VexaDateTime.TryParse(text, out _));

    [Fact]
    public void Written_text_reads_back_to_the_truncated_value()
    {
        var value = Utc(Base + 1_784_457);
        Assert.True(VexaDateTime.TryParse(VexaDateTime.Naive(value), out var back));
        Assert.Equal(VexaDateTime.Truncate(value), back);
        Assert.Equal(Utc(Base + 1_784_450), back);
    }

    private sealed record Sample(DateTime CreatedAt, DateTime? EndTime, DateTime? StartTime);
}
