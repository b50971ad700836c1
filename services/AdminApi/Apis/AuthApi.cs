using VexaService.AdminApi.Services;
using VexaService.Contracts;
using VexaService.Http;
using VexaService.Keys;

namespace VexaService.AdminApi.Apis;

/// <summary><c>GET /auth/me</c> as current Vexa has it (vexa-0.12.md §1): who the calling key belongs to, what it may
/// do, and how many bots its user may run at once.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/auth").WithTags("User").RequireCaller("Invalid API Key")
            .MapGet("/me", GetMe).WithName("GetMe")
            .WithSummary("The calling key's user, its scopes (bots, transcripts) and the user's concurrent bot limit")
            .Produces<AuthMeResponse>().ProducesDetail(401, 403, 429);
        return app;
    }

    /// <param name="Scopes">Ours: <c>bots</c> and/or <c>transcripts</c> (Vexa's own keys say <c>bot</c>, <c>tx</c>...).</param>
    public sealed record AuthMeResponse(long UserId, string Email, IReadOnlyList<string> Scopes, int MaxConcurrent);

    public static async Task<IResult> GetMe(Caller caller, UserDirectory users, CancellationToken ct) =>
        await users.FindAsync(caller.UserId, ct) is { } user
            // A caller the gateway did not tell the scopes of holds a key of every scope (keys made before scopes existed).
            ? TypedResults.Ok(new AuthMeResponse(user.Id, user.Email, caller.Scopes ?? ApiScopes.All, user.MaxConcurrentBots))
            : TypedResults.Json(new ErrorBody("Invalid API Key"), statusCode: StatusCodes.Status403Forbidden);
}
