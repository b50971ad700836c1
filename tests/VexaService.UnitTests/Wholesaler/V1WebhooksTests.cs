using System.Text;
using System.Text.Json.Nodes;
using VexaService.Wholesaler.Generations;

namespace VexaService.UnitTests.Wholesaler;

/// <summary>
/// Today's Vexa's webhooks (vexa-0.12.md §4): the signature checked over the bytes as Python wrote and signed them
/// (Golden/Signed.python.json, from Vexa's own golden envelopes), and each envelope read as 2025-09's body.
/// </summary>
public sealed class V1WebhooksTests
{
    private const string Secret = "whsec_demo_secret";
    private static readonly JsonObject Signed = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Wholesaler", "Golden", "Signed.python.json")))!.AsObject();

    private static (byte[] Body, string Timestamp, string Signature) Golden(string name)
    {
        var entry = Signed[name]!;
        return (Encoding.UTF8.GetBytes(entry["body"]!.GetValue<string>()), entry["X-Webhook-Timestamp"]!.GetValue<string>(),
            entry["X-Webhook-Signature"]!.GetValue<string>());
    }

    private static DateTimeOffset At(string timestamp, int plusSeconds = 0) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp) + plusSeconds);

    [Theory]
    [InlineData("Envelope.meeting-completed.json")]
    [InlineData("Envelope.bot-failed.json")]
    public void Pythons_signature_over_pythons_bytes_is_accepted(string name)
    {
        var (body, ts, signature) = Golden(name);
        Assert.True(V1Webhooks.IsSigned(body, ts, signature, Secret, At(ts)));
        Assert.True(V1Webhooks.IsSigned(body, ts, signature, " " + Secret + "\n", At(ts, 299))); // Vexa trims the secret
    }

    [Fact]
    public void Anything_else_is_refused()
    {
        var (body, ts, signature) = Golden("Envelope.meeting-completed.json");
        Assert.False(V1Webhooks.IsSigned([.. body, (byte)' '], ts, signature, Secret, At(ts)));           // one byte more
        Assert.False(V1Webhooks.IsSigned(body, (long.Parse(ts) + 1).ToString(), signature, Secret, At(ts))); // another time
        Assert.False(V1Webhooks.IsSigned(body, ts, signature, "the_wrong_secret", At(ts)));
        Assert.False(V1Webhooks.IsSigned(body, ts, signature, Secret, At(ts, 301)));                       // too late: a replay
        Assert.False(V1Webhooks.IsSigned(body, ts, signature, Secret, At(ts, -301)));
        Assert.False(V1Webhooks.IsSigned(body, ts, null, Secret, At(ts)));
        Assert.False(V1Webhooks.IsSigned(body, null, signature, Secret, At(ts)));
        Assert.False(V1Webhooks.IsSigned(body, ts, signature.Replace("sha256=", "sha1="), Secret, At(ts)));
        Assert.False(V1Webhooks.IsSigned(body, ts, "sha256=zz", Secret, At(ts)));
        // The same envelope written again by System.Text.Json is other bytes: only the raw body can be checked.
        var rewritten = Encoding.UTF8.GetBytes(JsonNode.Parse(body)!.ToJsonString());
        Assert.False(V1Webhooks.IsSigned(rewritten, ts, signature, Secret, At(ts)));
    }

    [Fact]
    public void A_completion_reads_as_the_bare_meeting_2025_09_posted()
    {
        var envelope = Envelope("Envelope.meeting-completed.json");
        Assert.Equal(("evt_5f3c1a9b8d2e4f6a7b0c1d2e3f4a5b6c", "meeting.completed"), V1Webhooks.Envelope(envelope));
        var legacy = V1Webhooks.ToLegacy(envelope, null)!;
        Assert.Equal((11367L, "completed", "abc-defg-hij"), (legacy["id"]!.GetValue<long>(), legacy["status"]!.GetValue<string>(),
            legacy["native_meeting_id"]!.GetValue<string>()));
        Assert.Null(legacy["event_type"]);
    }

    [Fact]
    public void A_typed_event_reads_as_2025_09s_status_change()
    {
        var legacy = V1Webhooks.ToLegacy(Envelope("Envelope.bot-failed.json"), null)!;
        Assert.Equal("meeting.status_change", legacy["event_type"]!.GetValue<string>());
        Assert.Equal(11368, legacy["meeting"]!["id"]!.GetValue<long>());
        Assert.Equal(("awaiting_admission", "failed", "host denied admission", "bot_callback"), (
            legacy["status_change"]!["from"]!.GetValue<string>(), legacy["status_change"]!["to"]!.GetValue<string>(),
            legacy["status_change"]!["reason"]!.GetValue<string>(), legacy["status_change"]!["transition_source"]!.GetValue<string>()));
    }

    [Fact]
    public void A_0_12_status_change_names_its_meeting_by_the_connection_saved_at_spawn()
    {
        var envelope = new JsonObject
        {
            ["event_id"] = "evt_0123456789abcdef0123456789abcdef", ["event_type"] = "meeting.status_change", ["api_version"] = "2026-03-01",
            ["data"] = new JsonObject
            {
                ["meeting"] = new JsonObject { ["connection_id"] = "c0ffee", ["status"] = "joining", ["completion_reason"] = null },
                ["status_change"] = new JsonObject { ["old_status"] = null, ["new_status"] = "joining", ["transition_source"] = "bot_callback" },
            },
        };
        Assert.Equal("c0ffee", V1Webhooks.ConnectionId(envelope));
        Assert.Null(V1Webhooks.ToLegacy(envelope, null)); // unknown connection: nothing to say yet

        var legacy = V1Webhooks.ToLegacy(envelope, new ConnectedMeeting(42, "google_meet", "abc-defg-hij"))!;
        Assert.Equal((42L, "google_meet", "abc-defg-hij", "joining"), (legacy["meeting"]!["id"]!.GetValue<long>(),
            legacy["meeting"]!["platform"]!.GetValue<string>(), legacy["meeting"]!["native_meeting_id"]!.GetValue<string>(),
            legacy["status_change"]!["to"]!.GetValue<string>()));
        Assert.Null(legacy["status_change"]!["from"]);
    }

    [Fact]
    public void A_body_without_the_envelope_is_no_v1_webhook()
    {
        Assert.Null(V1Webhooks.Envelope(new JsonObject { ["id"] = 1, ["status"] = "completed" }));
        Assert.Null(V1Webhooks.Envelope(new JsonObject { ["event_type"] = "meeting.status_change", ["meeting"] = new JsonObject() }));
        Assert.Null(V1Webhooks.Envelope(new JsonObject { ["event_id"] = new string('e', 129), ["event_type"] = "x", ["data"] = new JsonObject() }));
    }

    private static JsonObject Envelope(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Wholesaler", "Golden", name)))!.AsObject();
}
