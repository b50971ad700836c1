using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace VexaService.EndToEndTests;

/// <summary>
/// The app stopped and started again on the same data folder, as <c>scripts/run.sh</c> does: the bundled emulator
/// comes back empty and numbers its meetings from 1 again, while our database keeps every user, key and meeting.
/// </summary>
public sealed partial class AppHostTests
{
    [Fact]
    public async Task After_a_restart_on_kept_data_keys_work_old_meetings_stay_listed_and_a_new_bot_is_its_own_meeting()
    {
        var ct = TestContext.Current.CancellationToken;
        var gateway = fixture.App.CreateHttpClient("gateway");
        var apiKey = await fixture.App.NewUserKeyAsync(gateway, ct);
        var started = await gateway.SendWithKeyAsync(HttpMethod.Post, "/bots", apiKey, ct,
            JsonContent.Create(new { platform = "google_meet", native_meeting_id = "aaa-bbbb-ccc" }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var before = (await started.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();

        await fixture.RestartAsync(); // the bot is still running: it goes with the emulator

        gateway = fixture.App.CreateHttpClient("gateway");
        // The key from before the restart still works, and the old meeting is still listed.
        var listed = await gateway.SendWithKeyAsync(HttpMethod.Get, "/meetings", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(before, Ids(await listed.Content.ReadFromJsonAsync<JsonObject>(ct)));

        // The old meeting, whose bot went with the old emulator, ends as failed rather than live forever, which frees
        // the user's one slot: the follower's first pass (5 s after the start) fails the rows of a Wholesaler we no
        // longer talk to. Until then the old meeting holds the slot, and a start is refused with 403.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string? oldStatus = null;
        while (DateTime.UtcNow < deadline)
        {
            var meetings = await (await gateway.SendWithKeyAsync(HttpMethod.Get, "/meetings", apiKey, ct)).Content.ReadFromJsonAsync<JsonObject>(ct);
            oldStatus = meetings!["meetings"]!.AsArray().Single(m => m!["id"]!.GetValue<long>() == before)!["status"]!.GetValue<string>();
            if (oldStatus == "failed")
            {
                break;
            }
            await Task.Delay(500, ct);
        }
        Assert.Equal("failed", oldStatus);

        // A new bot is a new meeting (the emulator may give it an id it already gave the old one before the restart).
        started = await gateway.SendWithKeyAsync(HttpMethod.Post, "/bots", apiKey, ct,
            JsonContent.Create(new { platform = "google_meet", native_meeting_id = "ddd-eeee-fff" }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var after = (await started.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();
        Assert.NotEqual(before, after);

        // Its running bot shows under the new meeting only.
        var status = await gateway.SendWithKeyAsync(HttpMethod.Get, "/bots/status", apiKey, ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var bot = Assert.Single((await status.Content.ReadFromJsonAsync<JsonObject>(ct))!["running_bots"]!.AsArray());
        Assert.Equal(after.ToString(), bot!["meeting_id_from_name"]!.GetValue<string>());
        Assert.Equal("ddd-eeee-fff", bot["native_meeting_id"]!.GetValue<string>());

        // Both rows are kept, each with the Wholesaler instance that issued its id.
        await using var db = new Npgsql.NpgsqlConnection(await fixture.App.GetConnectionStringAsync("vexadb", ct));
        await db.OpenAsync(ct);
        await using var read = new Npgsql.NpgsqlCommand(
            "SELECT id, wholesaler_meeting_id, wholesaler_issuer FROM meetings WHERE id IN (@a, @b) ORDER BY id", db);
        read.Parameters.AddWithValue("a", before);
        read.Parameters.AddWithValue("b", after);
        var rows = new List<(long Id, long WholesalerId, string Issuer)>();
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
            }
        }
        Assert.Equal(2, rows.Count);
        Assert.NotEqual(rows[0].Issuer, rows[1].Issuer);
        TestContext.Current.SendDiagnosticMessage(
            $"before the restart: Wholesaler meeting {rows[0].WholesalerId}; after: {rows[1].WholesalerId}");
    }

    private static IEnumerable<long> Ids(JsonObject? list) => list!["meetings"]!.AsArray().Select(m => m!["id"]!.GetValue<long>());
}
