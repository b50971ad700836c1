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
