using System.Text.Json;
using System.Text.Json.Nodes;

namespace VexaService.Contracts;

/// <summary>
/// The client side of Vexa's <c>/ws</c> protocol (contract §14), as the gateway and the emulator both read it: a frame's
/// action, the meetings of a <c>subscribe</c>/<c>unsubscribe</c> with Vexa's shape errors, and the answers' shapes.
/// </summary>
public static class LiveProtocol
{
    public const string Pong = """{"type":"pong"}""";

    /// <summary>A client frame: the object and its <c>action</c>, or a null frame when it is not a JSON object.</summary>
    public static (JsonObject? Frame, string? Action) Read(string text)
    {
        JsonObject? frame;
        try
        {
            frame = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return (null, null);
        }
        var action = frame?["action"] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null;
        return (frame, action);
    }

    /// <summary>The (platform, native id) pairs of a frame's <c>meetings</c>, or Vexa's <c>details</c> for a
    /// subscribe whose <c>meetings</c> is not a non-empty list of objects with both fields.</summary>
    public static (List<(string Platform, string NativeId)> Meetings, string? Problem) Meetings(JsonObject frame)
    {
        if (frame["meetings"] is not JsonArray list)
        {
            return ([], "'meetings' must be a non-empty list");
        }
        if (list.Count == 0)
        {
            return ([], "'meetings' list cannot be empty");
        }
        var meetings = list.OfType<JsonObject>()
            .Where(m => m["platform"] is JsonValue p && p.GetValueKind() == JsonValueKind.String
                && m["native_id"] is JsonValue n && n.GetValueKind() == JsonValueKind.String)
            .Select(m => (m["platform"]!.GetValue<string>(), m["native_id"]!.GetValue<string>()))
            .ToList();
        return (meetings, meetings.Count == 0 ? "no valid meeting objects" : null);
    }

    public static JsonObject Meeting(string platform, string nativeId) => new() { ["platform"] = platform, ["native_id"] = nativeId };

    /// <summary><c>subscribed</c> or <c>unsubscribed</c> with the meetings it names.</summary>
    public static JsonObject Answer(string type, JsonArray meetings) => new() { ["type"] = type, ["meetings"] = meetings };

    public static JsonObject Error(string error) => new() { ["type"] = "error", ["error"] = error };

    /// <summary>
    /// <c>authorization_service_error</c>: the subscribe could not be checked, so nothing of it was taken; Vexa's
    /// <c>status</c> and <c>detail</c> are its authorization service's answer (its body as text).
    /// </summary>
    public static JsonObject AuthorizationServiceError(int status, string detail) =>
        new() { ["type"] = "error", ["error"] = "authorization_service_error", ["status"] = status, ["detail"] = detail };

    /// <summary><c>invalid_subscribe_payload</c>: a shape error (a string) or the refused meetings (a list).</summary>
    public static JsonObject InvalidPayload(JsonNode details) =>
        new() { ["type"] = "error", ["error"] = "invalid_subscribe_payload", ["details"] = details };
}
