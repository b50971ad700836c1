using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using VexaService.Contracts;
using VexaService.Data;

namespace VexaService.Gateway.Mcp;

/// <summary>
/// Vexa's MCP tools (its 0.12 MCP service: names, arguments and meaning), each one of our API's calls made as the user
/// whose key the MCP request carried (<see cref="OurApi"/>): the same isolation, the same errors. The descriptions are
/// what an agent reads to pick a tool.
/// </summary>
[McpServerToolType]
public sealed class MeetingTools(OurApi api)
{
    private const string IdDescription =
        "The meeting's id on its platform, as parse_meeting_link, request_meeting_bot and list_meetings give it: " +
        "Google Meet 'abc-defg-hij', Zoom 9-11 digits, Teams 10-15 digits.";
    private const string PlatformDescription = "google_meet, zoom or teams.";

    [McpServerTool(Name = "parse_meeting_link", ReadOnly = true, Idempotent = true)]
    [Description("Parse a meeting URL into platform, native_meeting_id and passcode: the exact fields the other tools take. " +
        "Useful when the user pastes a Google Meet, Zoom or Teams link.")]
    public static JsonObject ParseMeetingLink([Description("The meeting link, e.g. https://meet.google.com/abc-defg-hij")] string meeting_url)
    {
        var (parsed, problem) = MeetingLink.Parse(meeting_url);
        if (parsed is not { } meeting)
        {
            throw new McpException(problem ?? MeetingLink.Expected);
        }
        return new JsonObject
        {
            ["platform"] = meeting.Platform, ["native_meeting_id"] = meeting.NativeId, ["passcode"] = meeting.Passcode,
        };
    }

    [McpServerTool(Name = "request_meeting_bot")]
    [Description("Send a transcription bot to a meeting. Give meeting_url, or platform + native_meeting_id (+ passcode for " +
        "Teams, or Zoom when needed). The bot usually joins within about 10 seconds; follow it with get_bot_status and read " +
        "what is said with get_meeting_transcript. A meeting that already has a bot answers status 'already_exists'.")]
    public async Task<JsonNode?> RequestMeetingBot(
        [Description("The meeting link (instead of platform + native_meeting_id)")] string? meeting_url = null,
        [Description(IdDescription)] string? native_meeting_id = null,
        [Description(PlatformDescription)] string? platform = null,
        [Description("The meeting's passcode (Teams; Zoom)")] string? passcode = null,
        [Description("The name the bot shows in the meeting")] string? bot_name = null,
        [Description("Transcription language code such as 'en' or 'es'; detected when left out")] string? language = null,
        [Description("'transcribe' (default) or 'translate' (into English)")] string? task = null,
        CancellationToken ct = default)
    {
        var body = new JsonObject();
        if (meeting_url is not null)
        {
            body["meeting_url"] = meeting_url;
        }
        if (platform is not null)
        {
            body["platform"] = platform;
        }
        if (native_meeting_id is not null)
        {
            body["native_meeting_id"] = native_meeting_id;
        }
        foreach (var (name, value) in new[] { ("passcode", passcode), ("bot_name", bot_name), ("language", language), ("task", task) })
        {
            if (value is not null)
            {
                body[name] = value;
            }
        }
        var (status, answer) = await api.TrySendAsync(HttpMethod.Post, "bot-manager", "/bots", OurApi.Bots, body, ct);
        if (status == StatusCodes.Status409Conflict)
        {
            // Vexa's MCP answers a second request for the same meeting as already there, with the meeting when it finds it.
            var key = (platform, native_meeting_id) is (not null, not null) ? (platform, native_meeting_id)
                : meeting_url is not null && MeetingLink.Parse(meeting_url).Meeting is { } parsed ? (parsed.Platform, parsed.NativeId) : (null, null);
            var meetings = await api.SendAsync(HttpMethod.Get, "transcripts", "/meetings?limit=100", OurApi.Transcripts, null, ct);
            var existing = meetings?["meetings"]?.AsArray().FirstOrDefault(m => m?["platform"]?.GetValue<string>() == key.Item1
                && m?["native_meeting_id"]?.GetValue<string>() == key.Item2 && MeetingStatus.IsLive(m?["status"]?.GetValue<string>()));
            return new JsonObject
            {
                ["status"] = "already_exists", ["meeting"] = existing?.DeepClone(), ["detail"] = answer?["detail"]?.DeepClone(),
            };
        }
        return status is >= 200 and < 300 ? answer : throw OurApi.Refused(status, answer);
    }

    [McpServerTool(Name = "get_bot_status", ReadOnly = true)]
    [Description("The bots running now under this API key, with the meeting each is in and its status.")]
    public Task<JsonNode?> GetBotStatus(CancellationToken ct = default) =>
        api.SendAsync(HttpMethod.Get, "bot-manager", "/bots/status", OurApi.Bots, null, ct);

    [McpServerTool(Name = "update_bot_config", Idempotent = true)]
    [Description("Change a running bot's transcription language or task (for example switch to 'es', or to 'translate').")]
    public Task<JsonNode?> UpdateBotConfig(
        [Description(PlatformDescription)] string platform,
        [Description(IdDescription)] string native_meeting_id,
        [Description("New language code, e.g. 'en'")] string? language = null,
        [Description("'transcribe' or 'translate'")] string? task = null,
        CancellationToken ct = default) =>
        api.SendAsync(HttpMethod.Put, "bot-manager", $"/bots/{OurApi.Segment(platform)}/{OurApi.Segment(native_meeting_id)}/config",
            OurApi.Bots, new JsonObject { ["language"] = language, ["task"] = task }, ct);

    [McpServerTool(Name = "stop_bot", Destructive = true)]
    [Description("Make the bot leave the meeting. Its transcript stays readable with get_meeting_transcript.")]
    public Task<JsonNode?> StopBot(
        [Description(PlatformDescription)] string platform,
        [Description(IdDescription)] string native_meeting_id,
        CancellationToken ct = default) =>
        api.SendAsync(HttpMethod.Delete, "bot-manager", $"/bots/{OurApi.Segment(platform)}/{OurApi.Segment(native_meeting_id)}",
            OurApi.Bots, null, ct);

    [McpServerTool(Name = "list_meetings", ReadOnly = true)]
    [Description("The meetings of this API key's user, newest first, with status, platform, native_meeting_id and times. " +
        "Page with limit and offset; filter by status (requested, joining, awaiting_admission, active, needs_help, stopping, " +
        "completed, failed) or platform.")]
    public Task<JsonNode?> ListMeetings(
        [Description("How many, 1-100 (default 20)")] int limit = 20,
        [Description("How many to skip")] int offset = 0,
        [Description("Only meetings in this status")] string? status = null,
        [Description("Only meetings on this platform: " + PlatformDescription)] string? platform = null,
        CancellationToken ct = default)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"/meetings?limit={limit}&offset={offset}");
        query += status is null ? "" : "&status=" + Uri.EscapeDataString(status);
        query += platform is null ? "" : "&platform=" + Uri.EscapeDataString(platform);
        return api.SendAsync(HttpMethod.Get, "transcripts", query, OurApi.Transcripts, null, ct);
    }

    [McpServerTool(Name = "get_meeting_transcript", ReadOnly = true)]
    [Description("The transcript of a meeting: segments with speaker, start and end (seconds into the meeting) and text. " +
        "Works while the meeting runs as well as after: call it again to follow a live one. Give platform + " +
        "native_meeting_id (the newest meeting held there), or meeting_db_id (the 'id' list_meetings gives) for one exact meeting.")]
    public Task<JsonNode?> GetMeetingTranscript(
        [Description(PlatformDescription)] string? platform = null,
        [Description(IdDescription)] string? native_meeting_id = null,
        [Description("The meeting's 'id' from list_meetings or request_meeting_bot")] long? meeting_db_id = null,
        CancellationToken ct = default)
    {
        if (meeting_db_id is { } id)
        {
            return api.SendAsync(HttpMethod.Get, "transcripts", string.Create(CultureInfo.InvariantCulture, $"/transcripts/by-id/{id}"),
                OurApi.Transcripts, null, ct);
        }
        if (platform is null || native_meeting_id is null)
        {
            throw new McpException("get_meeting_transcript: give platform and native_meeting_id, or meeting_db_id.");
        }
        return api.SendAsync(HttpMethod.Get, "transcripts", $"/transcripts/{OurApi.Segment(platform)}/{OurApi.Segment(native_meeting_id)}",
            OurApi.Transcripts, null, ct);
    }

    [McpServerTool(Name = "update_meeting_data", Idempotent = true)]
    [Description("Set a meeting's name, participants, languages or notes (merged into what it has).")]
    public Task<JsonNode?> UpdateMeetingData(
        [Description(PlatformDescription)] string platform,
        [Description(IdDescription)] string native_meeting_id,
        [Description("A name for the meeting")] string? name = null,
        [Description("Who took part")] string[]? participants = null,
        [Description("Languages spoken, as codes")] string[]? languages = null,
        [Description("Free-form notes")] string? notes = null,
        CancellationToken ct = default)
    {
        var data = new JsonObject();
        if (name is not null)
        {
            data["name"] = name;
        }
        if (participants is not null)
        {
            data["participants"] = new JsonArray([.. participants.Select(p => (JsonNode?)p)]);
        }
        if (languages is not null)
        {
            data["languages"] = new JsonArray([.. languages.Select(l => (JsonNode?)l)]);
        }
        if (notes is not null)
        {
            data["notes"] = notes;
        }
        return api.SendAsync(HttpMethod.Patch, "transcripts", $"/meetings/{OurApi.Segment(platform)}/{OurApi.Segment(native_meeting_id)}",
            OurApi.Transcripts, new JsonObject { ["data"] = data }, ct);
    }

    [McpServerTool(Name = "delete_meeting", Destructive = true)]
    [Description("Delete a finished meeting and its transcript for good (a meeting whose bot still runs is refused: stop_bot first).")]
    public Task<JsonNode?> DeleteMeeting(
        [Description(PlatformDescription)] string platform,
        [Description(IdDescription)] string native_meeting_id,
        CancellationToken ct = default) =>
        api.SendAsync(HttpMethod.Delete, "transcripts", $"/meetings/{OurApi.Segment(platform)}/{OurApi.Segment(native_meeting_id)}",
            OurApi.Transcripts, null, ct);
}
