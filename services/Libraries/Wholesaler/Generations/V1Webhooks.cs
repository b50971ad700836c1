using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace VexaService.Wholesaler.Generations;

/// <summary>Where a v1 webhook's meeting is, when the webhook names it only by its bot's connection.</summary>
public sealed record ConnectedMeeting(long WholesalerMeetingId, string Platform, string NativeMeetingId);

/// <summary>What Vexa 0.12 and the hosted API share about their webhooks (vexa-0.12.md §4).</summary>
public static class V1Webhooks
{
    public const string SignatureHeader = "X-Webhook-Signature";
    public const string TimestampHeader = "X-Webhook-Timestamp";

    /// <summary>How far a signature's timestamp may be from our clock (Vexa sets none; a replay window of ours).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether <paramref name="signature"/> (<c>sha256=&lt;hex&gt;</c>) is the HMAC-SHA256 of <c>"{timestamp}." + body</c> with
    /// our secret, over the bytes as they came (Vexa signs Python's <c>json.dumps</c>, which we would not write again
    /// byte for byte), and <paramref name="timestamp"/> (Unix seconds) within <see cref="Tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool IsSigned(ReadOnlySpan<byte> body, string? timestamp, string? signature, string secret, DateTimeOffset now)
    {
        if (signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan("sha256=".Length));
        }
        catch (FormatException)
        {
            return false;
        }
        var signed = new byte[timestamp!.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp + ".", signed);
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret.Trim()), signed));
    }

    /// <summary>The envelope's <c>event_id</c> and <c>event_type</c>; null when the body is no v1 envelope.</summary>
    public static (string EventId, string EventType)? Envelope(JsonObject body) =>
        WholesalerMeetingJson.Text(body, "event_id") is { Length: > 0 and <= 128 } id
        && WholesalerMeetingJson.Text(body, "event_type") is { Length: > 0 and <= 64 } type && body["data"] is JsonObject
            ? (id, type)
            : null;

    /// <summary>The bot connection a webhook names instead of a meeting id (0.12's <c>meeting.status_change</c>).</summary>
    public static string? ConnectionId(JsonObject envelope) =>
        WholesalerMeetingJson.Id(envelope["data"]?["meeting"]) is null
            ? WholesalerMeetingJson.Text(envelope["data"]?["meeting"], "connection_id")
            : null;

    /// <summary>
    /// The envelope as Vexa of September 2025 would have posted it, which is what our relay reads: the completed meeting
    /// itself for <c>meeting.completed</c>; <c>{"event_type":"meeting.status_change","meeting","status_change":{from,to,
    /// reason,transition_source}}</c> for every other change (0.12 says <c>old_status</c>/<c>new_status</c>, 1.5 and the
    /// typed events <c>from</c>/<c>to</c>). A meeting named only by its connection takes id, platform and native id from
    /// <paramref name="connected"/>. Null for events that tell nothing of a meeting's status.
    /// </summary>
    public static JsonObject? ToLegacy(JsonObject envelope, ConnectedMeeting? connected)
    {
        if (envelope["data"] is not JsonObject data || data["meeting"] is not JsonObject given)
        {
            return null;
        }
        var meeting = (JsonObject)given.DeepClone();
        if (WholesalerMeetingJson.Id(meeting) is null)
        {
            if (connected is null)
            {
                return null;
            }
            meeting["id"] = connected.WholesalerMeetingId;
            meeting["platform"] = connected.Platform;
            meeting["native_meeting_id"] = connected.NativeMeetingId;
        }
        var type = WholesalerMeetingJson.Text(envelope, "event_type");
        if (type == "meeting.completed")
        {
            return meeting;
        }
        if (type is not ("meeting.status_change" or "meeting.started" or "bot.failed"))
        {
            return null;
        }
        var change = data["status_change"] as JsonObject;
        var to = WholesalerMeetingJson.Text(change, "new_status") ?? WholesalerMeetingJson.Text(change, "to");
        if (to is not null && meeting["status"] is null)
        {
            meeting["status"] = to;
        }
        return new JsonObject
        {
            ["event_type"] = "meeting.status_change",
            ["meeting"] = meeting,
            ["status_change"] = new JsonObject
            {
                ["from"] = WholesalerMeetingJson.Text(change, "old_status") ?? WholesalerMeetingJson.Text(change, "from"),
                ["to"] = to,
                ["reason"] = WholesalerMeetingJson.Text(change, "reason"),
                ["transition_source"] = WholesalerMeetingJson.Text(change, "transition_source"),
            },
        };
    }

    /// <summary>Every event, chosen explicitly: without a choice Vexa sends only <c>meeting.completed</c>.</summary>
    public static readonly string[] Events = ["meeting.started", "meeting.status_change", "meeting.completed", "bot.failed"];

    /// <summary>Our callback with its signing secret and every event.</summary>
    public static JsonObject Registration(string url, string secret) => new()
    {
        ["webhook_url"] = url,
        ["webhook_secret"] = secret,
        ["webhook_events"] = new JsonObject(Events.Select(e => KeyValuePair.Create(e, (JsonNode?)true))),
    };
}
