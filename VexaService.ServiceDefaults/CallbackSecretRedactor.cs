using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Wholesaler's callback path carries our secret (<c>/internal/wholesaler-webhook/{secret}</c>), and whoever holds
/// it can forge completions for every tenant. Every span's URL attributes (the server spans of the gateway and
/// Transcripts, and the gateway's forwarding client span) get that segment replaced before any exporter sees them.
/// </summary>
internal sealed partial class CallbackSecretRedactor : BaseProcessor<Activity>
{
    private const string Marker = "/internal/wholesaler-webhook/";
    private static readonly string[] UrlTags = ["url.path", "url.full", "url.original", "http.target", "http.url"];

    public override void OnEnd(Activity activity)
    {
        foreach (var tag in UrlTags)
        {
            if (activity.GetTagItem(tag) is string value && value.Contains(Marker, StringComparison.OrdinalIgnoreCase))
            {
                activity.SetTag(tag, Redact(value));
            }
        }
        if (activity.DisplayName.Contains(Marker, StringComparison.OrdinalIgnoreCase))
        {
            activity.DisplayName = Redact(activity.DisplayName);
        }
    }

    private static string Redact(string value) => SecretSegment().Replace(value, "$1{secret}");

    // Routing ignores case, so a path spelled in other cases reaches the callback too.
    [GeneratedRegex("(/internal/wholesaler-webhook/)[^/?#]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSegment();
}
