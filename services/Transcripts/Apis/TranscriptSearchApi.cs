using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using VexaService.Contracts;
using VexaService.Data;
using VexaService.Http;

namespace VexaService.Transcripts.Apis;

/// <summary>
/// <c>GET /transcripts/search?q=&amp;limit=&amp;offset=</c> (beyond Vexa): the caller's own segments that hold the words of
/// <c>q</c> (PostgreSQL full-text search over our copy of the transcripts, any language, web-search syntax: words,
/// <c>"a phrase"</c>, <c>or</c>, <c>-word</c>), best match first. Another user's meetings never appear.
/// </summary>
public static class TranscriptSearchApi
{
    public const int MaxQueryLength = 200;

    public static IEndpointRouteBuilder MapTranscriptSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/transcripts/search", Search).WithTags("Transcripts").RequireCaller("Invalid API token")
            .WithName("SearchTranscripts")
            .WithSummary("Find words in your own transcripts (ours: not in Vexa)")
            .WithQuery("q", "The words to find (web-search syntax: \"a phrase\", or, -word)", JsonSchemaType.String)
            .WithQuery("limit", "How many results, 1-100 (default 20)", JsonSchemaType.Integer)
            .WithQuery("offset", "How many results to skip (default 0)", JsonSchemaType.Integer)
            .Produces<TranscriptSearchResults>().ProducesDetail(403, 422, 429);
        return app;
    }

    public static async Task<IResult> Search(Caller caller, HttpRequest request, VexaDbContext db, CancellationToken ct)
    {
        var q = request.Query["q"].ToString().Trim();
        if (q.Length == 0)
        {
            return ValidationErrorBody.Single(["query", "q"], "field required", "value_error.missing");
        }
        if (q.Length > MaxQueryLength)
        {
            return ValidationErrorBody.Single(["query", "q"], $"ensure this value has at most {MaxQueryLength} characters",
                "value_error.any_str.max_length");
        }
        var (limit, badLimit) = QueryValues.Limit(request, 20, 100);
        if (badLimit is not null)
        {
            return badLimit;
        }
        var (offset, badOffset) = QueryValues.Integer(request, "offset", 0, 0, 100_000);
        if (badOffset is not null)
        {
            return badOffset;
        }
        // One more than asked: whether more follow.
        var found = await db.Database.SqlQuery<Found>($"""
            SELECT m.id AS meeting_id, m.platform, m.native_meeting_id, s.json, s.speaker,
                   ts_headline('simple', s.text, query, 'StartSel=<b>, StopSel=</b>, MaxFragments=1, MaxWords=30, MinWords=8') AS snippet
            FROM transcript_segments s
            JOIN meetings m ON m.id = s.meeting_id, websearch_to_tsquery('simple', {q}) query
            WHERE m.user_id = {caller.UserId} AND s.search @@ query
            ORDER BY ts_rank(s.search, query) DESC, m.id DESC, s.start
            LIMIT {limit + 1} OFFSET {offset}
            """).ToListAsync(ct);
        var results = found.Take(limit).Select(f =>
        {
            var segment = System.Text.Json.Nodes.JsonNode.Parse(f.Json)!;
            return new TranscriptSearchResult(f.MeetingId, f.Platform, f.NativeMeetingId,
                segment["start"]?.GetValue<double>() ?? 0, segment["end"]?.GetValue<double>() ?? 0, f.Speaker,
                segment["text"]?.GetValue<string>() ?? "", f.Snippet);
        }).ToList();
        return TypedResults.Ok(new TranscriptSearchResults(results, found.Count > limit));
    }

    private sealed record Found(long MeetingId, string Platform, string NativeMeetingId, string Json, string? Speaker, string Snippet);
}

[Description("Segments of your own meetings that hold the words, best match first.")]
public sealed record TranscriptSearchResults(IReadOnlyList<TranscriptSearchResult> Results, bool HasMore);

public sealed record TranscriptSearchResult(
    [property: Description("Our meeting id")] long MeetingId,
    string Platform,
    string NativeMeetingId,
    [property: Description("Seconds from the start of the meeting")] double Start,
    double End,
    string? Speaker,
    string Text,
    [property: Description("The words found, in <b></b>")] string Snippet);
