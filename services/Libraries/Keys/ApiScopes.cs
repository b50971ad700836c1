namespace VexaService.Keys;

/// <summary>
/// What an API key may be used for. A key has one or both; a key created without a choice has both, as every key had
/// before scopes existed. Routes outside both families (the user's own webhook and usage) take any key.
/// </summary>
public static class ApiScopes
{
    /// <summary>Start, stop, reconfigure and list bots (<c>/bots</c>).</summary>
    public const string Bots = "bots";

    /// <summary>Meetings, transcripts and live transcripts (<c>/meetings</c>, <c>/transcripts</c>, <c>/ws</c>).</summary>
    public const string Transcripts = "transcripts";

    public static readonly string[] All = [Bots, Transcripts];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
