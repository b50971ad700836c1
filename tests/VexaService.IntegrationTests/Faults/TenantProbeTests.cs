using System.Net;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Faults;

/// <summary>User B tries every form of reference to user A's meeting on every route: always a plain 404, never a leak.</summary>
[Collection(FaultCollection.Name)]
public sealed class TenantProbeTests(FaultStack stack)
{
    [Fact]
    public async Task Another_users_meeting_is_unreachable_by_any_reference()
    {
        var (_, aliceKey) = await stack.NewUserAsync();
        var (_, bobKey) = await stack.NewUserAsync();
        var meetId = RetailerFixture.NewMeetId();
        var started = await stack.SendAsync(aliceKey, HttpMethod.Post, "/bots", new { platform = "google_meet", native_meeting_id = meetId });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var ourId = (await started.JsonAsync())["id"]!.GetValue<long>();
        long wholesalerId;
        await using (var db = stack.NewDbContext())
        {
            wholesalerId = db.Meetings.Single(m => m.Id == ourId).WholesalerMeetingId!.Value;
        }

        // Every reference to Alice's meeting, and the same reference to a meeting that never existed.
        var ghost = (Meet: RetailerFixture.NewMeetId(), Ours: ourId + 7_000_000, Theirs: wholesalerId + 7_000_000);
        var forms = new Func<string, long, long, string>[]
        {
            (m, _, _) => m, (_, o, _) => o.ToString(), (_, _, w) => w.ToString(), (m, _, _) => m.ToUpperInvariant(),
            (m, _, _) => $"{m}%20", (m, _, _) => $"{m}%2F..", (_, o, _) => $"0{o}", (m, _, _) => m[..^1],
        };
        var queries = new Func<long, long, string>[] { (_, _) => "", (o, _) => $"?meeting_id={o}", (_, w) => $"?meeting_id={w}" };
        var differences = new List<string>();
        var probes = 0;
        foreach (var form in forms)
        {
            foreach (var query in queries)
            {
                var real = form(meetId, ourId, wholesalerId);
                var never = form(ghost.Meet, ghost.Ours, ghost.Theirs);
                var routes = Routes(real, query(ourId, wholesalerId)).Zip(Routes(never, query(ghost.Ours, ghost.Theirs)));
                foreach (var ((method, path, body), (_, ghostPath, _)) in routes)
                {
                    probes++;
                    var response = await stack.SendAsync(bobKey, method, path, body);
                    var text = Normalise(await response.Content.ReadAsStringAsync(), real, meetId, ourId, wholesalerId);
                    var ghostResponse = await stack.SendAsync(bobKey, method, ghostPath, body);
                    var ghostText = Normalise(await ghostResponse.Content.ReadAsStringAsync(), never, ghost.Meet, ghost.Ours, ghost.Theirs);
                    if (response.StatusCode != ghostResponse.StatusCode || text != ghostText)
                    {
                        differences.Add($"{method} {path}: {(int)response.StatusCode} {text}\n  never existed: {(int)ghostResponse.StatusCode} {ghostText}");
                    }
                    else if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity) || text.Contains("\"segments\""))
                    {
                        differences.Add($"{method} {path}: {(int)response.StatusCode} {text} (the same for a meeting that never existed)");
                    }
                }
            }
        }

        // The plain form is a 404 with Vexa's text, naming the id asked for.
        Assert.Equal($"Meeting not found for platform google_meet and ID {meetId}",
            await (await stack.SendAsync(bobKey, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).DetailAsync());

        // Bob's own lists stay empty; Alice's meeting is untouched.
        Assert.Empty((await (await stack.SendAsync(bobKey, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray());
        Assert.Empty((await (await stack.SendAsync(bobKey, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray());
        var aliceMeetings = (await (await stack.SendAsync(aliceKey, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray();
        Assert.Equal("active", aliceMeetings.Single()!["status"]!.GetValue<string>());

        TestContext.Current.SendDiagnosticMessage($"tenant probes: {probes}, each compared with a meeting that never existed; differences: {differences.Count}");
        Assert.Equal(forms.Length * queries.Length * 5, probes);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>The answer with the reference it was asked for, and any id it names, replaced by placeholders, so
    /// that two answers compare byte for byte.</summary>
    private static string Normalise(string body, string reference, string meetId, long ourId, long wholesalerId)
    {
        body = body.Replace(Uri.UnescapeDataString(reference), "<reference>").Replace(reference, "<reference>")
            .Replace(meetId, "<meet>").Replace(meetId.ToUpperInvariant(), "<MEET>").Replace(meetId[..^1], "<meet-short>");
        foreach (var (id, name) in new[] { (wholesalerId, "<theirs>"), (ourId, "<ours>") })
        {
            body = System.Text.RegularExpressions.Regex.Replace(body, $@"(?<![0-9]){id}(?![0-9])", name);
        }
        return body;
    }

    private static IEnumerable<(HttpMethod, string, object?)> Routes(string reference, string query)
    {
        yield return (HttpMethod.Get, $"/transcripts/google_meet/{reference}{query}", null);
        yield return (HttpMethod.Delete, $"/bots/google_meet/{reference}{query}", null);
        yield return (HttpMethod.Put, $"/bots/google_meet/{reference}/config{query}", new { language = "en" });
        yield return (HttpMethod.Patch, $"/meetings/google_meet/{reference}{query}", new { data = new { name = "mine" } });
        yield return (HttpMethod.Delete, $"/meetings/google_meet/{reference}{query}", null);
    }
}
