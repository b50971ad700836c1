using System.Security.Cryptography;

namespace VexaService.Keys;

/// <summary>Vexa's token format: 40 characters drawn uniformly from [A-Za-z0-9] by a CSPRNG.</summary>
public class ApiTokenGenerator
{
    public const int Length = 40;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Virtual so that a test can choose the next token (one that was refused while unknown, say).</summary>
    public virtual string NewToken() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>Whether <paramref name="key"/> could be one of ours; anything else is refused without a lookup.</summary>
    public static bool IsWellFormed(string key) => key.Length == Length && key.All(char.IsAsciiLetterOrDigit);
}
