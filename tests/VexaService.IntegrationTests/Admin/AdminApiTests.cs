using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Data;
using VexaService.Http;

namespace VexaService.IntegrationTests.Admin;

/// <summary>The admin API of contract section 5 with the fixes of retailer.md, against real PostgreSQL and Redis.</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private ServiceFactory<AdminApiMarker> _factory = null!;
    private AdminClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _factory = new ServiceFactory<AdminApiMarker>();
        _admin = new AdminClient(_factory.CreateClient());
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task The_whole_admin_flow()
    {
        var email = TestEnvironment.UniqueEmail("flow");

        var created = await _admin.SendAsync(HttpMethod.Post, "/admin/users", JsonContent.Create(new
        {
            email, name = "Flow", image_url = "https://img.example.com/a.png", max_concurrent_bots = 3,
            data = new { plan = "pro", webhook_url = "https://hooks.example.com/x" },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = (await created.JsonAsync()).AsObject();
        var id = user["id"]!.GetValue<long>();
        Assert.Equal(["email", "name", "image_url", "max_concurrent_bots", "data", "id", "created_at"], user.Select(p => p.Key));
        Assert.Equal(3, user["max_concurrent_bots"]!.GetValue<int>()); // honoured, unlike Vexa
        Assert.Equal("pro", user["data"]!["plan"]!.GetValue<string>());
        Assert.DoesNotContain("+", user["created_at"]!.GetValue<string>()); // naive datetimes as Vexa

        // A known e-mail: 200 with the existing user, unchanged.
        var again = await _admin.SendAsync(HttpMethod.Post, "/admin/users", JsonContent.Create(new { email, name = "Changed" }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("Flow", (await again.JsonAsync())["name"]!.GetValue<string>());

        // PATCH merges data (webhook_url survives) and null removes a key.
        var patched = await _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{id}",
            JsonContent.Create(new JsonObject { ["name"] = "Renamed", ["data"] = new JsonObject { ["plan"] = null, ["seats"] = 5 } }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var data = (await patched.JsonAsync())["data"]!.AsObject();
        Assert.Equal("https://hooks.example.com/x", data["webhook_url"]!.GetValue<string>());
        Assert.Equal(5, data["seats"]!.GetValue<int>());
        Assert.False(data.ContainsKey("plan"));

        var emailChange = await _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{id}", JsonContent.Create(new { email = "other@example.com" }));
        Assert.Equal(HttpStatusCode.BadRequest, emailChange.StatusCode);
        Assert.Equal("Cannot change user email via this endpoint.", await emailChange.DetailAsync());

        // Tokens: 201 with 40 alphanumerics, shown once; the detail view masks it.
        var (tokenId, token) = await _admin.CreateTokenAsync(id);
        Assert.Matches("^[A-Za-z0-9]{40}$", token);
        var detail = await (await _admin.SendAsync(HttpMethod.Get, $"/admin/users/{id}")).JsonAsync();
        var listed = detail["api_tokens"]!.AsArray().Single()!;
        Assert.Equal(tokenId, listed["id"]!.GetValue<long>());
        Assert.Equal(id, listed["user_id"]!.GetValue<long>());
        Assert.NotEqual(token, listed["token"]!.GetValue<string>());
        Assert.StartsWith(token[..8], listed["token"]!.GetValue<string>());

        var byEmail = await _admin.SendAsync(HttpMethod.Get, $"/admin/users/email/{Uri.EscapeDataString(email)}");
        Assert.Equal(id, (await byEmail.JsonAsync())["id"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.SendAsync(HttpMethod.Delete, $"/admin/tokens/{tokenId}")).StatusCode);
        var gone = await _admin.SendAsync(HttpMethod.Delete, $"/admin/tokens/{tokenId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("Token not found", await gone.DetailAsync());
    }

    [Fact]
    public async Task Listing_honours_skip_and_limit_in_id_order()
    {
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _admin.CreateUserAsync());
        }
        var all = (await (await _admin.SendAsync(HttpMethod.Get, "/admin/users?skip=0&limit=1000")).JsonAsync()).AsArray()
            .Select(u => u!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(all.Order(), all);
        var position = all.IndexOf(ids[0]);

        var page = (await (await _admin.SendAsync(HttpMethod.Get, $"/admin/users?skip={position + 1}&limit=2")).JsonAsync()).AsArray();
        // Other tests create users meanwhile, so the page is compared with the listing, not with our own three ids.
        Assert.Equal(all.Skip(position + 1).Take(2), page.Select(u => u!["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Unknown_users_are_404()
    {
        foreach (var path in new[] { "/admin/users/999999999", "/admin/users/email/nobody%40example.com" })
        {
            var response = await _admin.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("User not found", await response.DetailAsync());
        }
        var token = await _admin.SendAsync(HttpMethod.Post, "/admin/users/999999999/tokens");
        Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-admin-key")]
    public async Task A_missing_or_wrong_admin_key_is_403(string? key)
    {
        var response = await _admin.SendAsync(HttpMethod.Get, "/admin/users", adminKey: key);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Invalid or missing admin token.", await response.DetailAsync());
    }

    [Theory]
    [InlineData("{\"email\": ")]                                      // broken JSON
    [InlineData("[1, 2]")]                                             // not an object
    [InlineData("{\"name\": \"no email\"}")]                           // missing field
    [InlineData("{\"email\": 42}")]                                    // wrong type
    [InlineData("{\"email\": \"not-an-email\"}")]                      // invalid e-mail
    [InlineData("{\"email\": \"{EMAIL}\", \"max_concurrent_bots\": \"3\"}")]
    [InlineData("{\"email\": \"{EMAIL}\", \"max_concurrent_bots\": -1}")]
    [InlineData("{\"email\": \"{EMAIL}\", \"data\": [1]}")]
    [InlineData("{\"email\": \"{EMAIL}\", \"is_admin\": true}")]        // unknown field
    public async Task Bad_create_bodies_get_422_and_write_nothing(string body)
    {
        var email = TestEnvironment.UniqueEmail("bad");
        var response = await _admin.SendAsync(HttpMethod.Post, "/admin/users", HttpExtensions.RawJson(body.Replace("{EMAIL}", email)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issues = (await response.JsonAsync())["detail"]!.AsArray();
        Assert.NotEmpty(issues);
        Assert.All(issues, issue => Assert.False(string.IsNullOrEmpty(issue!["msg"]!.GetValue<string>())));
        await using var db = TestEnvironment.NewDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_oversized_body_is_413_not_500()
    {
        var huge = "{\"email\": \"big@example.com\", \"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var response = await _admin.SendAsync(HttpMethod.Post, "/admin/users", HttpExtensions.RawJson(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Request body too large.", await response.DetailAsync());
    }

    [Theory]
    [InlineData("/admin/users/abc")]
    [InlineData("/admin/users/-5")]
    public async Task A_non_integer_user_id_is_422(string path)
    {
        var response = await _admin.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("user_id", (await response.JsonAsync())["detail"]![0]!["loc"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        var id = await _admin.CreateUserAsync();
        var (_, token) = await _admin.CreateTokenAsync(id);

        await using var db = TestEnvironment.NewDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT row_to_json(t)::text FROM api_tokens t WHERE user_id = @id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        var row = (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(row);
        Assert.DoesNotContain(token, row);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        Assert.Contains(sha256, row); // computed here, not with the code under test
    }

    [Fact]
    public async Task Meetings_users_stats_work_with_meetings_present()
    {
        var id = await _admin.CreateUserAsync();
        await using (var db = TestEnvironment.NewDbContext())
        {
            db.Meetings.Add(new Meeting { UserId = id, Platform = "google_meet", NativeMeetingId = "sta-tsxx-abc", Status = MeetingStatus.Completed });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var response = await _admin.SendAsync(HttpMethod.Get, "/admin/stats/meetings-users?limit=1000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body["total"]!.GetValue<int>() >= 1);
        var item = body["items"]!.AsArray().First(i => i!["user_id"]!.GetValue<long>() == id)!;
        Assert.Equal("sta-tsxx-abc", item["native_meeting_id"]!.GetValue<string>());
        Assert.Equal(id, item["user"]!["id"]!.GetValue<long>());
    }

    /// <summary>Admin PATCHes and the user's <c>PUT /user/webhook</c> each merge into <c>users.data</c>; none may lose another's key.</summary>
    [Fact]
    public async Task Twenty_parallel_patches_of_different_keys_and_a_webhook_update_keep_every_key()
    {
        var userId = await _admin.CreateUserAsync();
        var patches = Enumerable.Range(0, 20).Select(i => _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{userId}",
            JsonContent.Create(new JsonObject { ["data"] = new JsonObject { [$"key{i}"] = i } })));
        using var webhook = new HttpRequestMessage(HttpMethod.Put, "/user/webhook")
        {
            Content = JsonContent.Create(new { webhook_url = "https://hooks.example.com/x" }),
        };
        webhook.Headers.Add(CallerToken.HeaderName, new CallerToken(
            Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), TimeProvider.System).Sign(userId));

        var answers = await Task.WhenAll(patches.Append(_factory.CreateClient().SendAsync(webhook)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        await using var db = TestEnvironment.NewDbContext();
        var data = JsonData.Parse(db.Users.Single(u => u.Id == userId).Data);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"key{i}").Append("webhook_url").Order(), data.Select(p => p.Key).Order());
    }
}
