using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VexaService.Wholesaler.Generations;

/// <summary>
/// At start, learns which Vexa the Wholesaler is and, where it can tell (0.12, 1.5: <c>GET /auth/me</c>), whether our
/// system key may do our work: scopes <c>bot</c> and <c>tx</c>, and a bot cap above 0 (0 means "none left" there). A key
/// that cannot stops the start with what the operator must change; an unreachable Wholesaler does not (its health says
/// so, and the first call probes again).
/// </summary>
public sealed class GenerationStartupCheck(CurrentGeneration current, GenerationProbe probe, ILogger<GenerationStartupCheck> logger)
    : IHostedService
{
    public static readonly string[] RequiredScopes = ["bot", "tx"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WholesalerGeneration generation;
        SystemKeyGrant? grant;
        int status;
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(15));
            generation = await current.DetectAsync(bounded.Token);
            if (!generation.HasAuthMe)
            {
                return;
            }
            (status, grant) = await probe.AuthMeAsync(bounded.Token);
        }
        catch (Exception e) when (e is WholesalerUnavailableException or HttpRequestException or OperationCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not learn which Vexa the Wholesaler is yet ({Error}); the first call will try again",
                e.GetBaseException().Message);
            return;
        }
        if (status == 401)
        {
            throw Stop($"The Wholesaler (Vexa {generation.Name}) refuses our system key (401). Set the AppHost parameter "
                + "wholesaler-api-key to a valid key of the Wholesaler's system user.");
        }
        if (grant is null)
        {
            logger.LogWarning("The Wholesaler (Vexa {Generation}) did not say what our key may do (/auth/me answered {Status})",
                generation.Name, status);
            return;
        }
        var missing = RequiredScopes.Except(grant.Scopes).ToList();
        if (missing.Count > 0)
        {
            throw Stop($"The Wholesaler's system key lacks the scope(s) {string.Join(", ", missing)} (it has: "
                + $"{(grant.Scopes.Count == 0 ? "none" : string.Join(", ", grant.Scopes))}). Create a key with scopes bot and tx "
                + "(Vexa admin-api: POST /admin/users/{id}/tokens {\"scopes\":[\"bot\",\"tx\"]}) and set it as wholesaler-api-key.");
        }
        if (grant.MaxConcurrent == 0)
        {
            throw Stop("The Wholesaler's system user may run 0 bots at once (max_concurrent_bots = 0 means none in Vexa "
                + $"{generation.Name}, not unlimited). Raise it: PATCH /admin/users/{{id}} {{\"max_concurrent_bots\": N}} on its admin-api.");
        }
        logger.LogInformation("The Wholesaler's system key has scopes {Scopes} and may run {MaxConcurrent} bots at once",
            string.Join(", ", grant.Scopes), grant.MaxConcurrent);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private InvalidOperationException Stop(string message)
    {
        logger.LogCritical("{Problem}", message);
        return new InvalidOperationException(message);
    }
}
