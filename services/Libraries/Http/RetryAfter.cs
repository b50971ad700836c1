using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace VexaService.Http;

/// <summary>The <c>Retry-After</c> header we send: whole seconds, rounded up, never 0 (a client told 0 retries at once).</summary>
public static class RetryAfter
{
    /// <returns>The seconds written, for texts that name them.</returns>
    public static int Set(HttpResponse response, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
