using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Faults;

/// <summary>User B tries every form of reference to user A's meeting on every route: always a plain 404, never a leak.</summary>
[Collection(FaultCollection.Name)]
public sealed class TenantProbeTests(FaultStack stack)
{
    [Fact]
    public async Task Another_users_meeting_is_unreachable_by_any_reference()
    {
        var (alice, aliceKey) = await stack.NewUserAsync();
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

        var references = new[] { meetId, ourId.ToString(), wholesalerId.ToString(), meetId.ToUpperInvariant(), $"{meetId}%20", $"{meetId}%2F..", $"0{ourId}", $"{meetId[..^1]}" };
        var leaks = new List<string>();
        var probes = 0;
        foreach (var reference in references)
        {
            foreach (var query in new[] { "", $"?meeting_id={ourId}", $"?meeting_id={wholesalerId}" })
            {
                foreach (var (method, path, body) in Routes(reference, query))
                {
                    probes++;
                    var response = await stack.SendAsync(bobKey, method, path, body);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity))
                    {
                        leaks.Add($"{method} {path}: {(int)response.StatusCode} {text}");
                    }
                    if (text.Contains(alice.ToString()) && !path.Contains(alice.ToString()) || text.Contains("\"segments\""))
                    {
                        leaks.Add($"{method} {path}: body mentions Alice's data: {text}");
                    }
                }
            }
        }

        // A never-existing meeting gets the same answer, word for word but for the id it names.
        var unknown = RetailerFixture.NewMeetId();
        Assert.Equal($"Meeting not found for platform google_meet and ID {unknown}",
            await (await stack.SendAsync(bobKey, HttpMethod.Get, $"/transcripts/google_meet/{unknown}")).DetailAsync());
        Assert.Equal($"Meeting not found for platform google_meet and ID {meetId}",
            await (await stack.SendAsync(bobKey, HttpMethod.Get, $"/transcripts/google_meet/{meetId}")).DetailAsync());

        // Bob's own lists stay empty; Alice's meeting is untouched.
        Assert.Empty((await (await stack.SendAsync(bobKey, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray());
        Assert.Empty((await (await stack.SendAsync(bobKey, HttpMethod.Get, "/bots/status")).JsonAsync())["running_bots"]!.AsArray());
        var aliceMeetings = (await (await stack.SendAsync(aliceKey, HttpMethod.Get, "/meetings")).JsonAsync())["meetings"]!.AsArray();
        Assert.Equal("active", aliceMeetings.Single()!["status"]!.GetValue<string>());

        TestContext.Current.SendDiagnosticMessage($"tenant probes: {probes}, leaks: {leaks.Count}");
        Assert.True(probes >= 100, $"{probes} probes");
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
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
