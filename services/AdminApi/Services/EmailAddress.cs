using System.Text.RegularExpressions;

namespace VexaService.AdminApi.Services;

/// <summary>E-mail checks in the spirit of pydantic's EmailStr: one @, a dotted domain, no spaces; domain lower-cased.</summary>
public static partial class EmailAddress
{
    public static string? Normalize(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length > 255 || !Shape().IsMatch(trimmed))
        {
            return null;
        }
        var at = trimmed.LastIndexOf('@');
        return trimmed[..at] + "@" + trimmed[(at + 1)..].ToLowerInvariant();
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex Shape();
}
