using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Shared.Api;
using VexaService.Shared.Errors;

namespace VexaService.AdminApi.Apis;

/// <summary>API token endpoints: created tokens are shown once; deletion takes effect at the gateway at once.</summary>
public static class AdminTokensApi
{
    public static IEndpointRouteBuilder MapAdminTokensApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin").WithTags("Admin").RequireAdminKey();
        api.MapPost("/users/{user_id}/tokens", CreateToken).WithName("CreateToken").WithSummary("Create an API token (shown once)")
            .Produces<TokenResponse>(StatusCodes.Status201Created).ProducesDetail(403, 404, 422, 429);
        api.MapDelete("/tokens/{token_id}", DeleteToken).WithName("DeleteToken").WithSummary("Delete an API token; refused at once")
            .Produces(StatusCodes.Status204NoContent).ProducesDetail(403, 404, 422, 429);
        return app;
    }

    public static async Task<IResult> CreateToken(string user_id, UserDirectory users, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(user_id, "user_id");
        if (error is not null)
        {
            return error;
        }
        if (await users.CreateTokenAsync(id, ct) is not var (token, plaintext))
        {
            return TypedResults.NotFound(new ErrorBody("User not found"));
        }
        return TypedResults.Created($"/admin/tokens/{token.Id}",
            new TokenResponse(token.UserId, token.Id, plaintext, token.CreatedAt));
    }

    public static async Task<IResult> DeleteToken(string token_id, UserDirectory users, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(token_id, "token_id");
        if (error is not null)
        {
            return error;
        }
        return await users.DeleteTokenAsync(id, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new ErrorBody("Token not found"));
    }
}
