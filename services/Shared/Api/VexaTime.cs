namespace VexaService.Shared.Api;

/// <summary>Vexa writes meeting and user datetimes as naive ISO strings (UTC by convention, no offset).</summary>
public static class VexaTime
{
    public static DateTime Naive(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    public static DateTime? Naive(DateTime? utc) => utc is { } value ? Naive(value) : null;
}
