using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Contracts;
using VexaService.Http;

namespace VexaService.AdminApi.Apis;

/// <summary>API token endpoints: created tokens are shown once; deletion takes effect at the gateway at once.</summary>
public static class AdminTokensApi
{
    public static IEndpointRouteBuilder MapAdminTokensApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin").WithTags("Admin").RequireAdminKey();
        api.MapPost("/users/{user_id}/tokens", CreateToken).WithName("CreateToken")
            .WithSummary("Create an API token (shown once), optionally named, expiring and limited to scopes")
            .AcceptsJson<TokenCreate>().Produces<TokenResponse>(StatusCodes.Status201Created).ProducesDetail(403, 404, 422, 429);
        api.MapGet("/users/{user_id}/tokens", ListTokens).WithName("ListTokens")
            .WithSummary("A user's API tokens: prefix, name, scopes, created, expires, last used (never the secret)")
            .Produces<List<TokenResponse>>().ProducesDetail(403, 404, 422, 429);
        api.MapDelete("/tokens/{token_id}", DeleteToken).WithName("DeleteToken").WithSummary("Delete an API token; refused at once")
            .Produces(StatusCodes.Status204NoContent).ProducesDetail(403, 404, 422, 429);
        return app;
    }

    public static async Task<IResult> CreateToken(string user_id, HttpRequest request, UserDirectory users, TimeProvider time,
        CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(user_id, "user_id");
        if (error is not null)
        {
            return error;
        }
        var input = TokenInput.Default;
        // Vexa's endpoint takes no body, and its clients send none.
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
            if (bodyError is not null)
            {
                return bodyError;
            }
            var (read, inputError) = TokenInput.Read(body!, time.GetUtcNow().UtcDateTime);
            if (inputError is not null)
            {
                return inputError;
            }
            input = read!;
        }
        if (await users.CreateTokenAsync(id, input, ct) is not var (token, plaintext))
        {
            return TypedResults.NotFound(new ErrorBody("User not found"));
        }
        return TypedResults.Created($"/admin/tokens/{token.Id}", TokenResponse.From(token, plaintext));
    }

    public static async Task<IResult> ListTokens(string user_id, UserDirectory users, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(user_id, "user_id");
        if (error is not null)
        {
            return error;
        }
        return await users.ListTokensAsync(id, ct) is { } tokens
            ? TypedResults.Ok(tokens.Select(TokenResponse.Masked).ToList())
            : TypedResults.NotFound(new ErrorBody("User not found"));
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
