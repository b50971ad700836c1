using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Wholesaler.ContractTests.Infrastructure;

/// <summary>Plain-HTTP helpers shared by the contract tests; stops the bots a test started when it ends.</summary>
[Collection(WholesalerCollection.Name)]
public abstract class WholesalerTestBase(WholesalerTarget target) : IAsyncLifetime
{
    public const string Json = "application/json";
    public static readonly string[] MeetingFields =
    [
        "id", "user_id", "platform", "native_meeting_id", "constructed_meeting_url", "status", "bot_container_id",
        "start_time", "end_time", "data", "created_at", "updated_at",
    ];

    private readonly List<(string Platform, string NativeId)> _startedBots = [];

    protected WholesalerTarget Target { get; } = target;

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Sends a request with the system key, another key (<paramref name="apiKey"/>) or none (<paramref name="noKey"/>).</summary>
    protected Task<ApiResponse> SendAsync(HttpMethod method, string path, string? body = null, string? apiKey = null,
        bool noKey = false, string? contentType = Json) =>
        SendCancellableAsync(method, path, body, apiKey, noKey, contentType, Cancellation);

    /// <summary>Like <see cref="SendAsync"/>, giving up when <paramref name="cancellationToken"/> fires.</summary>
    protected async Task<ApiResponse> SendCancellableAsync(HttpMethod method, string path, string? body, string? apiKey,
        bool noKey, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (!noKey)
        {
            request.Headers.Add("X-API-Key", apiKey ?? Target.ApiKey);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        using var response = await Target.Client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ApiResponse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    protected Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <summary>POST /bots, asserting 201, and remembering the bot so it is stopped after the test.</summary>
    protected async Task<JsonObject> StartBotAsync(string platform, string nativeId)
    {
        var response = await PostBotAsync(platform, nativeId);
        Assert.True(response.Status == HttpStatusCode.Created, $"POST /bots {platform}/{nativeId}: {response}");
        Target.Learn(response.Object["status"]?.GetValue<string>());
        return response.Object;
    }

    /// <summary>
    /// A bot in its meeting: the answer to POST /bots from Vexa of dfc7c83e, or, from a Vexa whose bots report their way
    /// in (<see cref="WholesalerTarget.PushesStatuses"/>), the meeting once it has become <c>active</c>.
    /// </summary>
    protected async Task<JsonObject> StartActiveBotAsync(string platform, string nativeId)
    {
        var meeting = await StartBotAsync(platform, nativeId);
        return meeting["status"]?.GetValue<string>() == "active" || !Target.PushesStatuses
            ? meeting
            : await MeetingInStatusAsync(meeting["id"]!.GetValue<long>(), "active");
    }

    protected async Task<ApiResponse> PostBotAsync(string platform, string nativeId)
    {
        var response = await SendAsync(HttpMethod.Post, "/bots",
            new JsonObject { ["platform"] = platform, ["native_meeting_id"] = nativeId, ["bot_name"] = "ContractTestBot" }.ToJsonString());
        if (response.Status == HttpStatusCode.Created)
        {
            _startedBots.Add((platform, nativeId));
        }
        return response;
    }

    protected Task<ApiResponse> StopBotAsync(string platform, string nativeId) =>
        SendAsync(HttpMethod.Delete, $"/bots/{platform}/{nativeId}");

    /// <summary>The meeting with this internal id as GET /meetings lists it, or null.</summary>
    protected async Task<JsonObject?> FindMeetingAsync(long id)
    {
        var response = await GetAsync("/meetings");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Json["meetings"]!.AsArray().Select(m => m!.AsObject()).FirstOrDefault(m => m["id"]!.GetValue<long>() == id);
    }

    /// <summary>Polls until <paramref name="probe"/> gives a value (not null), failing after the target's patience.</summary>
    protected async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Target.PatienceFor;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {Target.PatienceFor.TotalSeconds} s waiting for {what}.");
            await Task.Delay(Target.IsEmulator ? 25 : 1000, Cancellation);
        }
    }

    protected Task<JsonObject> MeetingInStatusAsync(long id, string status) =>
        EventuallyAsync(async () => await FindMeetingAsync(id) is { } m && m["status"]!.GetValue<string>() == status ? m : null,
            $"meeting {id} to become {status}");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var (platform, nativeId) in _startedBots)
        {
            try
            {
                await SendCancellableAsync(HttpMethod.Delete, $"/bots/{platform}/{nativeId}", null, null, false, null, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                // Best effort: a test that left faults on may have made the target unreachable.
            }
        }
        GC.SuppressFinalize(this);
    }
}
