using System.Text;

namespace VexaService.IntegrationTests.Faults;

/// <summary>One malformed request of the corpus: what it is, and how to send it.</summary>
public sealed record AbuseCase(string Name, HttpMethod Method, string Path, byte[]? Body = null, string ContentType = "application/json",
    bool Admin = false, bool WithKey = true, (string Name, string Value)? Header = null);

/// <summary>
/// A generated corpus of malformed requests against every route: broken JSON, wrong types, huge bodies and headers,
/// path tricks, SQL/Redis metacharacters in ids, invalid platforms, wrong methods.
/// </summary>
public static class AbuseCorpus
{
    private static readonly string[] Platforms = ["google_meet", "GOOGLE_MEET", "skype", "..", "%2F", "zoom%00", "teams "];

    private static readonly string[] Ids =
    [
        "abc-defg-hij", "..", "..%2F..%2Fadmin", "%2e%2e%2f", "a%2Fb", "'; DROP TABLE users;--", "1 OR 1=1", "\" OR \"\"=\"",
        "*", "KEYS%20*", "%0D%0AFLUSHALL%0D%0A", "%E4%BC%9A%E8%AD%B0", "%F0%9F%98%80", "%00", new string('x', 3000),
        "abc-defg-hij%3Fpwd%3Dx", "-1", "99999999999999999999", "%25", "$ne",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "}", "[]", "null", "123", "\"text\"", "{\"platform\": 1}", "{\"platform\": \"google_meet\", \"native_meeting_id\": null}",
        "{\"platform\": \"google_meet\", \"native_meeting_id\": \"abc-defg-hij\", \"bot_name\": [\"x\"]}",
        "{\"platform\": \"'; DROP TABLE meetings;--\", \"native_meeting_id\": \"x\"}",
        "{\"native_meeting_id\": {\"$ne\": null}}", "{\"email\": {\"$gt\": \"\"}}", "{\"email\": \"a@b\"}", "{\"email\": \"\\u0000@x.com\"}",
        "{\"data\": \"not-an-object\"}", "{\"data\": {\"participants\": \"Ann\"}}", "{\"max_concurrent_bots\": 1e309}",
        "{\"max_concurrent_bots\": \"many\"}", "{\"webhook_url\": \"javascript:alert(1)\"}", "{\"webhook_url\": \"http://localhost/x\"}",
        "{\"webhook_url\": 42}", "{\"language\": {\"a\": 1}, \"task\": []}", "{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}",
        "{\"platform\": \"google_meet\", \"native_meeting_id\": \"" + new string('z', 100_000) + "\"}",
    ];

    private static readonly (HttpMethod Method, string Path, bool Admin)[] BodyRoutes =
    [
        (HttpMethod.Post, "/bots", false), (HttpMethod.Put, "/bots/google_meet/abc-defg-hij/config", false),
        (HttpMethod.Patch, "/meetings/google_meet/abc-defg-hij", false), (HttpMethod.Put, "/user/webhook", false),
        (HttpMethod.Post, "/admin/users", true), (HttpMethod.Patch, "/admin/users/1", true),
    ];

    private static readonly (HttpMethod Method, string Template, bool Admin)[] PathRoutes =
    [
        (HttpMethod.Delete, "/bots/{p}/{id}", false), (HttpMethod.Put, "/bots/{p}/{id}/config", false),
        (HttpMethod.Get, "/transcripts/{p}/{id}", false), (HttpMethod.Patch, "/meetings/{p}/{id}", false),
        (HttpMethod.Delete, "/meetings/{p}/{id}", false),
    ];

    private static readonly string[] AdminIdPaths =
        ["/admin/users/{id}", "/admin/users/{id}/tokens", "/admin/tokens/{id}", "/admin/users/email/{id}"];

    private static readonly string[] Queries =
    [
        "?skip=-1", "?limit=0", "?limit=100000", "?skip=abc", "?limit=1e3", "?skip=99999999999", "?limit=%00", "?skip=1&skip=x",
        "?limit=';--", "?meeting_id=abc", "?meeting_id=-5", "?meeting_id=99999999999999999999",
    ];

    public static IReadOnlyList<AbuseCase> Generate()
    {
        var cases = new List<AbuseCase>();
        foreach (var (method, path, admin) in BodyRoutes)
        {
            foreach (var body in Bodies)
            {
                cases.Add(new($"{method} {path} body {Short(body)}", method, path, Encoding.UTF8.GetBytes(body), Admin: admin));
                cases.Add(new($"{method} {path} text/plain {Short(body)}", method, path, Encoding.UTF8.GetBytes(body), "text/plain", admin));
            }
            cases.Add(new($"{method} {path} 2 MiB body", method, path, Encoding.UTF8.GetBytes("{\"x\": \"" + new string('a', 2 << 20) + "\"}"), Admin: admin));
            cases.Add(new($"{method} {path} invalid UTF-8", method, path, [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], Admin: admin));
        }
        foreach (var (method, template, admin) in PathRoutes)
        {
            foreach (var platform in Platforms)
            {
                foreach (var id in Ids)
                {
                    var path = template.Replace("{p}", platform).Replace("{id}", id);
                    var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : Encoding.UTF8.GetBytes("{\"data\": {\"name\": \"n\"}}");
                    cases.Add(new($"{method} {template} p={platform} id={Short(id)}", method, path, body, Admin: admin));
                }
            }
        }
        foreach (var template in AdminIdPaths)
        {
            foreach (var id in Ids)
            {
                foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete, HttpMethod.Patch })
                {
                    cases.Add(new($"{method} {template} id={Short(id)}", method, template.Replace("{id}", id), Admin: true));
                }
            }
        }
        foreach (var path in new[] { "/meetings", "/admin/users", "/admin/stats/meetings-users", "/transcripts/google_meet/abc-defg-hij" })
        {
            foreach (var query in Queries)
            {
                cases.Add(new($"GET {path}{query}", HttpMethod.Get, path + query, Admin: path.StartsWith("/admin")));
            }
        }
        // Wrong methods on every route, and unknown paths.
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Options, new HttpMethod("TRACE") })
        {
            foreach (var path in new[] { "/bots", "/bots/status", "/meetings", "/user/webhook", "/admin/users", "/admin/stats/meetings-users", "/nope", "/bots/x/y/z/w" })
            {
                cases.Add(new($"{method} {path}", method, path, Admin: path.StartsWith("/admin")));
            }
        }
        // Headers: missing, odd and huge keys; a huge unrelated header.
        foreach (var path in new[] { "/bots/status", "/meetings", "/transcripts/google_meet/abc-defg-hij", "/admin/users" })
        {
            cases.Add(new($"GET {path} no key", HttpMethod.Get, path, WithKey: false));
            foreach (var key in new[] { " ", "' OR '1'='1", new string('k', 8000), "*", "\t" })
            {
                cases.Add(new($"GET {path} key={Short(key)}", HttpMethod.Get, path, WithKey: false,
                    Header: (path.StartsWith("/admin") ? "X-Admin-API-Key" : "X-API-Key", key)));
            }
            cases.Add(new($"GET {path} 64 KiB header", HttpMethod.Get, path, Admin: path.StartsWith("/admin"), Header: ("X-Padding", new string('p', 64 * 1024))));
            cases.Add(new($"GET {path} forged identity", HttpMethod.Get, path, WithKey: false, Header: ("X-Vexa-Caller", "v1.1.9999999999999.forged")));
        }
        return cases;
    }

    private static string Short(string value) => value.Length <= 24 ? value : value[..24] + $"…({value.Length})";
}
