using System.Net;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Faults;

/// <summary>A JSON body with a key twice was a 500 (the object noticed only when a handler touched it).</summary>
[Collection(FaultCollection.Name)]
public sealed class DuplicateKeyTests(FaultStack stack)
{
    [Fact]
    public async Task A_duplicate_key_at_any_depth_is_a_422_in_pydantics_shape_naming_its_path_on_every_json_endpoint()
    {
        var (userId, key) = await stack.NewUserAsync();
        (HttpMethod Method, string Path, string Key, string Body, string Loc)[] cases =
        [
            (HttpMethod.Post, "/bots", key, """{"platform":"zoom","platform":"teams","native_meeting_id":"1234567890"}""", """["body","platform"]"""),
            (HttpMethod.Put, "/bots/google_meet/abc-defg-hij/config", key, """{"language":"en","task":"transcribe","language":"de"}""", """["body","language"]"""),
            (HttpMethod.Patch, "/meetings/google_meet/abc-defg-hij", key, """{"data":{"a":1,"a":2}}""", """["body","data","a"]"""),
            (HttpMethod.Put, "/user/webhook", key, """{"webhook_url":"https://a.example.com/x","webhook_url":"https://b.example.com/x"}""", """["body","webhook_url"]"""),
            (HttpMethod.Post, "/admin/users", TestEnvironment.AdminKey, """{"email":"a@example.com","data":{"x":[{"y":1},{"y":1,"y":2}]}}""", """["body","data","x",1,"y"]"""),
            (HttpMethod.Patch, $"/admin/users/{userId}", TestEnvironment.AdminKey, """{"data":{"a":{"b":{"c":1,"c":2}}}}""", """["body","data","a","b","c"]"""),
            (HttpMethod.Post, "/internal/wholesaler-webhook/" + TestEnvironment.CallbackSecret, key, """{"id":1,"status":"completed","id":2}""", """["body","id"]"""),
        ];
        foreach (var (method, path, caller, body, loc) in cases)
        {
            var header = caller == TestEnvironment.AdminKey ? "X-Admin-API-Key" : "X-API-Key";
            var response = await stack.Gateway.SendAsync(method, path, content: HttpExtensions.RawJson(body), headers: new Dictionary<string, string> { [header] = caller });
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var issue = (await response.JsonAsync())["detail"]!.AsArray().Single()!;
            Assert.Equal(loc, issue["loc"]!.ToJsonString());
            Assert.Equal("value_error.duplicate_key", issue["type"]!.GetValue<string>());
        }
        await using var db = stack.NewDbContext();
        Assert.DoesNotContain(db.Users, u => u.Email == "a@example.com");
    }
}
