using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace VexaService.IntegrationTests.Infrastructure;

/// <summary>Creates users and tokens through AdminApi's real endpoints, as an operator would.</summary>
public sealed class AdminClient(HttpClient http)
{
    public async Task<long> CreateUserAsync(string? email = null, int? maxBots = null)
    {
        var response = await SendAsync(HttpMethod.Post, "/admin/users",
            JsonContent.Create(new { email = email ?? TestEnvironment.UniqueEmail(), max_concurrent_bots = maxBots ?? 1 }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    public async Task<(long Id, string Token)> CreateTokenAsync(long userId)
    {
        var response = await SendAsync(HttpMethod.Post, $"/admin/users/{userId}/tokens");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (body["id"]!.GetValue<long>(), body["token"]!.GetValue<string>());
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null,
        string? adminKey = TestEnvironment.AdminKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-API-Key", adminKey);
        }
        return await http.SendAsync(request);
    }
}
