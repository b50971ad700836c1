using System.Text.Json;
using System.Text.Json.Nodes;
using VexaService.Data;
using VexaService.Http;

namespace VexaService.AdminApi.Services;

/// <summary>
/// The webhook settings a user keeps in <c>users.data</c> (<c>webhook_url</c>, <c>webhook_events</c>), checked the
/// same way whoever writes them: the user (<c>PUT /user/webhook</c>) or an admin (<c>data</c> of
/// <c>PATCH /admin/users/{id}</c> or <c>POST /admin/users</c>).
/// </summary>
public static class WebhookSettings
{
    /// <summary>The events a user chose (<c>"events"</c> of <c>PUT /user/webhook</c>), or null when none were sent.</summary>
    public static List<string>? ReadEvents(FieldReader reader, string field)
    {
        var events = reader.StringList(field);
        if (events is null)
        {
            return null;
        }
        if (EventsProblem(events) is { } problem)
        {
            reader.Fail(field, problem, "value_error.list");
            return null;
        }
        return events.Distinct().ToList();
    }

    /// <summary>Current Vexa's event types (vexa-0.12.md §4): a client of it may name any of them.</summary>
    public static readonly string[] VexaEventTypes = ["meeting.started", WebhookEvents.StatusChange, WebhookEvents.Completed, "bot.failed"];

    /// <summary>
    /// Current Vexa's spelling of the choice (<c>"webhook_events": {"meeting.status_change": true, ...}</c>, 0.12 §2.8), as
    /// our list: an event set true is chosen; one not named keeps Vexa's default (<c>meeting.completed</c> on, the others
    /// off). <c>meeting.started</c> and <c>bot.failed</c> are accepted and not sent: their news comes as a
    /// <c>meeting.status_change</c> to <c>active</c> or <c>failed</c>. Null when the field was not sent.
    /// </summary>
    public static List<string>? ReadEventMap(FieldReader reader, string field)
    {
        if (reader.Object(field) is not { } map)
        {
            return null;
        }
        var chosen = new Dictionary<string, bool>();
        foreach (var (type, value) in map)
        {
            if (!VexaEventTypes.Contains(type))
            {
                reader.Fail(field, $"unknown event '{type}'; events are: {string.Join(", ", VexaEventTypes)}", "value_error.dict");
                return null;
            }
            if (value is not JsonValue flag || flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                reader.Fail(field, $"'{type}': value could not be parsed to a boolean", "type_error.bool");
                return null;
            }
            chosen[type] = flag.GetValue<bool>();
        }
        var events = WebhookEvents.Selectable.Where(e => chosen.GetValueOrDefault(e, WebhookEvents.Default.Contains(e))).ToList();
        if (EventsProblem(events) is { } problem)
        {
            reader.Fail(field, problem, "value_error.dict");
            return null;
        }
        return events;
    }

    /// <summary>Our choice in current Vexa's spelling: every event we send, on or off.</summary>
    public static Dictionary<string, bool> EventMap(IReadOnlyList<string> events) =>
        WebhookEvents.Selectable.ToDictionary(e => e, events.Contains);

    /// <summary>Checks the webhook keys of a <c>data</c> object an admin sends; other keys are the admin's own.</summary>
    public static void CheckData(FieldReader reader, JsonObject? data)
    {
        if (data is null)
        {
            return;
        }
        if (data.TryGetPropertyValue(UserWebhook.UrlKey, out var url) && url is not null)
        {
            var problem = url.GetValueKind() != JsonValueKind.String ? "str type expected" : WebhookUrl.Problem(url.GetValue<string>());
            if (problem is not null)
            {
                reader.Fail("data", $"{UserWebhook.UrlKey}: {problem}", "value_error.url");
            }
        }
        if (data.TryGetPropertyValue(WebhookEvents.DataKey, out var events) && events is not null)
        {
            var list = events as JsonArray;
            var problem = list is null || list.Any(e => e?.GetValueKind() != JsonValueKind.String)
                ? "value is not a valid list of strings"
                : EventsProblem(list.Select(e => e!.GetValue<string>()).ToList());
            if (problem is not null)
            {
                reader.Fail("data", $"{WebhookEvents.DataKey}: {problem}", "value_error.list");
            }
        }
    }

    private static string? EventsProblem(List<string> events)
    {
        if (events.Count == 0)
        {
            return $"choose at least one event of: {string.Join(", ", WebhookEvents.Selectable)}";
        }
        var unknown = events.Where(e => !WebhookEvents.Selectable.Contains(e)).ToList();
        return unknown.Count == 0 ? null
            : $"unknown event {string.Join(", ", unknown.Select(e => $"'{e}'"))}; events are: {string.Join(", ", WebhookEvents.Selectable)}";
    }
}
