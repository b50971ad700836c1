using System.Text;

namespace VexaService.IntegrationTests.Faults;

/// <summary>One malformed request of the corpus: what it is, and how to send it.</summary>
/// <param name="MaySucceed">A well-formed request among the odd ones (a valid query, the right method on a listing):
/// only these may answer 2xx; any other entry that succeeds is a hole the corpus found.</param>
public sealed record AbuseCase(string Name, HttpMethod Method, string Path, byte[]? Body = null, string ContentType = "application/json",
    bool Admin = false, bool WithKey = true, (string Name, string Value)? Header = null, bool MaySucceed = false);

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

    /// <summary>Bodies that parse into something odd: duplicate keys at every depth, 10,000 levels of nesting, numbers
    /// beyond any type, numbers as strings. Sent to every route with every method.</summary>
    private static readonly string[] OddJson =
    [
        """{"platform":"zoom","platform":"teams","native_meeting_id":"1234567890"}""",
        """{"email":"a@example.com","email":"b@example.com"}""", """{"webhook_url":"https://a.example.com/x","webhook_url":"https://b.example.com/x"}""",
        """{"data":{"a":1,"a":2}}""", """{"data":{"name":"n","x":{"b":1,"b":2}}}""", """{"data":{"participants":[{"n":1,"n":2}]}}""",
        """{"language":"en","task":"transcribe","language":"de"}""", """{"event":"x","meeting":{"id":1,"id":2}}""",
        "{\"data\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_001),
        "{\"data\":" + new string('[', 10_000) + new string(']', 10_000) + "}",
        """{"max_concurrent_bots":1e400}""", """{"max_concurrent_bots":99999999999999999999999}""", """{"max_concurrent_bots":-1e400}""",
        """{"platform":"zoom","native_meeting_id":99999999999999999999999}""", """{"data":{"name":1e400,"notes":99999999999999999999999}}""",
        """{"meeting":{"id":1e400}}""", """{"meeting":{"id":99999999999999999999999,"status":"completed"}}""",
        """{"max_concurrent_bots":"5"}""", """{"max_concurrent_bots":"1e400"}""", """{"platform":"zoom","native_meeting_id":"99999999999999999999999"}""",
        """{"meeting":{"id":"1"}}""", """{"data":{"participants":["1e400", 1e400]}}""",
    ];

    /// <summary>Every route of the API (ids that exist nowhere), and the Wholesaler's callback.</summary>
    private static readonly (string Path, bool Admin)[] AllRoutes =
    [
        ("/bots", false), ("/bots/status", false), ("/bots/google_meet/abc-defg-hij", false), ("/bots/google_meet/abc-defg-hij/config", false),
        ("/meetings", false), ("/meetings/google_meet/abc-defg-hij", false), ("/transcripts/google_meet/abc-defg-hij", false),
        ("/user/webhook", false), ("/user/webhook/deliveries", false), ("/user/webhook/test", false), ("/admin/users", true), ("/admin/users/987654321", true), ("/admin/users/987654321/tokens", true),
        ("/admin/tokens/987654321", true), ("/admin/users/email/nobody@example.com", true), ("/admin/stats/meetings-users", true),
        ("/internal/wholesaler-webhook/" + Infrastructure.TestEnvironment.CallbackSecret, false),
    ];

    /// <summary>Listings a GET may read whatever body it carries (a body on a GET means nothing).</summary>
    private static readonly string[] ListingRoutes = ["/bots", "/bots/status", "/meetings", "/admin/users", "/admin/stats/meetings-users",
        "/user/webhook", "/user/webhook/deliveries"];

    /// <summary>Well-formed among the odd: an admin's <c>data</c> is free-form.</summary>
    private static readonly (HttpMethod, string, string)[] Valid = [(HttpMethod.Patch, "/admin/users/1", "{\"data\": {\"participants\": \"Ann\"}}")];

    private static readonly HttpMethod[] AllMethods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];

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
                cases.Add(new($"{method} {path} body {Short(body)}", method, path, Encoding.UTF8.GetBytes(body), Admin: admin,
                    MaySucceed: Valid.Contains((method, path, body))));
                cases.Add(new($"{method} {path} text/plain {Short(body)}", method, path, Encoding.UTF8.GetBytes(body), "text/plain", admin));
            }
            cases.Add(new($"{method} {path} 2 MiB body", method, path, Encoding.UTF8.GetBytes("{\"x\": \"" + new string('a', 2 << 20) + "\"}"), Admin: admin));
            cases.Add(new($"{method} {path} invalid UTF-8", method, path, [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], Admin: admin));
        }
        foreach (var (path, admin) in AllRoutes)
        {
            foreach (var method in AllMethods)
            {
                foreach (var body in OddJson)
                {
                    cases.Add(new($"{method} {Short(path)} body {Short(body)}", method, path, Encoding.UTF8.GetBytes(body), Admin: admin));
                }
            }
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
        return cases.Select(c => ReadsAListing(c) ? c with { MaySucceed = true } : c).ToList();
    }

    /// <summary>
    /// A GET, with the user's own key, of a listing or of the gateway's welcome (after the client resolves dot segments
    /// such as <c>/admin/users/email/..</c>), without paging parameters: valid whatever else it carries (a body, or a
    /// query parameter the listing does not take, which FastAPI ignores too).
    /// </summary>
    private static bool ReadsAListing(AbuseCase c)
    {
        var uri = new Uri(new Uri("http://gateway"), c.Path);
        var path = uri.AbsolutePath == "/" ? "/" : uri.AbsolutePath.TrimEnd('/');
        return c.Method == HttpMethod.Get && c.WithKey && c.Header is null && (ListingRoutes.Contains(path) || path == "/")
            && (uri.Query.Length == 0 || uri.Query.StartsWith("?meeting_id="));
    }

    private static string Short(string value) => value.Length <= 24 ? value : value[..24] + $"…({value.Length})";
}
