using System.Net;
using System.Text.Json.Nodes;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;

namespace VexaService.IntegrationTests.Meetings;

/// <summary>PATCHes and the webhook relay each merge into a meeting's <c>data</c>; at the same moment none may lose another's key.</summary>
[Collection(RetailerCollection.Name)]
public sealed class MeetingDataMergeTests(RetailerFixture fixture)
{
    private const int Rounds = 20;
    private static readonly string[] PatchedKeys = ["name", "notes", "languages"]; // all PATCH /meetings takes, but participants

    private readonly HttpClient _transcripts = fixture.Transcripts.CreateClient();

    [Fact]
    public async Task Parallel_patches_and_a_webhook_merging_different_keys_keep_every_key_round_after_round()
    {
        var userId = await fixture.NewUserAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var (meetingId, wholesalerId, meetId) = await fixture.SeedMeetingAsync(userId);
            var patches = PatchedKeys.Select(key =>
                fixture.AsUserAsync(_transcripts, userId, HttpMethod.Patch, $"/meetings/google_meet/{meetId}",
                    new JsonObject { ["data"] = new JsonObject { [key] = key == "languages" ? new JsonArray("en") : key } }));
            // The meeting ends with three segments said; the relay adds its participants (only where missing), read
            // back from the Wholesaler, while the user patches.
            await fixture.WholesalerHoldsAsync(wholesalerId, meetId, "completed", segments: 3);
            var webhook = _transcripts.SendAsync(HttpMethod.Post, "/internal/wholesaler-webhook/" + TestEnvironment.CallbackSecret,
                content: HttpExtensions.RawJson($$$"""{"id":{{{wholesalerId}}},"status":"completed","data":{"participants":["Ann"]}}"""));

            var answers = await Task.WhenAll(patches.Append(webhook));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            await using var db = TestEnvironment.NewDbContext();
            var data = JsonData.Parse(db.Meetings.Single(m => m.Id == meetingId).Data);
            Assert.Equal(["languages", "name", "notes", "participants"], data.Select(p => p.Key).Order());
        }
    }
}
