using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using VexaService.IntegrationTests.Infrastructure;

namespace VexaService.IntegrationTests.Faults;

[Collection(FaultCollection.Name)]
public sealed class AbuseTests(FaultStack stack)
{
    private static readonly string[] Leaks = ["   at ", "Exception", "Npgsql", "StackExchange", "VexaService.", "/work/", "System.", "Microsoft."];

    [Fact]
    public async Task A_thousand_malformed_requests_get_clean_4xx_answers_and_never_a_500()
    {
        var (_, key) = await stack.NewUserAsync();
        var corpus = AbuseCorpus.Generate();
        Assert.True(corpus.Count >= 1000, $"corpus has {corpus.Count} cases");

        var problems = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (abuse, ct) =>
        {
            using var request = new HttpRequestMessage(abuse.Method, abuse.Path);
            if (abuse.Body is not null)
            {
                request.Content = new ByteArrayContent(abuse.Body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(abuse.ContentType);
            }
            if (abuse.WithKey)
            {
                request.Headers.TryAddWithoutValidation(abuse.Admin ? "X-Admin-API-Key" : "X-API-Key", abuse.Admin ? TestEnvironment.AdminKey : key);
            }
            if (abuse.Header is { } header)
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            HttpResponseMessage response;
            try
            {
                response = await stack.Gateway.SendAsync(request, ct);
            }
            catch (HttpRequestException) when (abuse.Body?.Length > VexaService.Http.ApiDefaults.MaxRequestBodyBytes)
            {
                // Kestrel answers 413 as soon as the limit is passed and may close the connection while the client is
                // still sending the rest: the client then sees the reset, not the answer. Refused either way, no 5xx.
                return;
            }
            catch (HttpRequestException e)
            {
                problems.Add($"{abuse.Name}: connection failed ({e.Message})");
                return;
            }
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (status is >= 200 and < 300 && !abuse.MaySucceed)
            {
                problems.Add($"{abuse.Name}: accepted with {status} {body[..Math.Min(body.Length, 200)]}");
            }
            if (status >= 500)
            {
                problems.Add($"{abuse.Name}: {status} {body}");
            }
            if (Leaks.FirstOrDefault(body.Contains) is { } leak)
            {
                problems.Add($"{abuse.Name}: body leaks '{leak}': {body[..Math.Min(body.Length, 200)]}");
            }
            // Kestrel itself refuses a null character in the path and over-long headers before any code of ours runs.
            var rejectedByServer = status == 431 || (status == 400 && body.Length == 0 && abuse.Path.Contains("%00"));
            if (status >= 400 && !rejectedByServer && !IsDetailJson(body))
            {
                problems.Add($"{abuse.Name}: {status} without a JSON detail: '{body[..Math.Min(body.Length, 100)]}'");
            }
        });

        TestContext.Current.SendDiagnosticMessage($"abuse corpus: {corpus.Count} requests; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(problems.IsEmpty, $"{problems.Count} problems:\n" + string.Join("\n", problems.Take(200)));
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
    }

    private static bool IsDetailJson(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("detail", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
