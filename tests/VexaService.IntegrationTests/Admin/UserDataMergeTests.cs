using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VexaService.AdminApi;
using VexaService.IntegrationTests.Infrastructure;
using VexaService.Shared.Api;
using VexaService.Shared.Identity;

namespace VexaService.IntegrationTests.Admin;

/// <summary>Admin PATCHes and the user's <c>PUT /user/webhook</c> each merge into <c>users.data</c>; none may lose another's key.</summary>
public sealed class UserDataMergeTests : IAsyncLifetime
{
    private const int Patches = 20;

    private ServiceFactory<AdminApiMarker> _factory = null!;
    private AdminClient _admin = null!;
    private readonly CallerToken _signer = new(Options.Create(new IdentityOptions { SigningKey = TestEnvironment.SigningKey }), TimeProvider.System);

    public async ValueTask InitializeAsync()
    {
        await TestEnvironment.EnsureMigratedAsync();
        _factory = new ServiceFactory<AdminApiMarker>();
        _admin = new AdminClient(_factory.CreateClient());
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Twenty_parallel_patches_of_different_keys_and_a_webhook_update_keep_every_key()
    {
        var userId = await _admin.CreateUserAsync();
        var patches = Enumerable.Range(0, Patches).Select(i => _admin.SendAsync(HttpMethod.Patch, $"/admin/users/{userId}",
            JsonContent.Create(new JsonObject { ["data"] = new JsonObject { [$"key{i}"] = i } })));
        using var webhook = new HttpRequestMessage(HttpMethod.Put, "/user/webhook")
        {
            Content = JsonContent.Create(new { webhook_url = "https://hooks.example.com/x" }),
        };
        webhook.Headers.Add(CallerToken.HeaderName, _signer.Sign(userId));

        var answers = await Task.WhenAll(patches.Append(_factory.CreateClient().SendAsync(webhook)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        await using var db = TestEnvironment.NewDbContext();
        var data = JsonData.Parse(db.Users.Single(u => u.Id == userId).Data);
        Assert.Equal(Enumerable.Range(0, Patches).Select(i => $"key{i}").Append("webhook_url").Order(), data.Select(p => p.Key).Order());
    }
}
