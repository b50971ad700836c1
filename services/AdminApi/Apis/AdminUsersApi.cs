using Microsoft.AspNetCore.Http.HttpResults;
using VexaService.AdminApi.Models;
using VexaService.AdminApi.Services;
using VexaService.Contracts;
using VexaService.Http;

namespace VexaService.AdminApi.Apis;

/// <summary>Vexa's admin user endpoints (contract section 5), behind X-Admin-API-Key.</summary>
public static class AdminUsersApi
{
    public static IEndpointRouteBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/users").WithTags("Admin").RequireAdminKey();

        api.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("Create a user, or return the existing one for a known e-mail")
            .AcceptsJson<UserCreate>().Produces<UserResponse>(StatusCodes.Status201Created).Produces<UserResponse>()
            .ProducesDetail(403, 422, 429);
        api.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("List users (skip, limit)")
            .WithPaging().Produces<List<UserResponse>>().ProducesDetail(403, 422, 429);
        api.MapGet("/email/{email}", GetUserByEmail).WithName("GetUserByEmail").WithSummary("A user by e-mail")
            .ProducesDetail(403, 429);
        api.MapGet("/{user_id}", GetUser).WithName("GetUser").WithSummary("A user with its tokens")
            .Produces<UserDetailResponse>().ProducesDetail(403, 404, 422, 429);
        api.MapPatch("/{user_id}", UpdateUser).WithName("UpdateUser").WithSummary("Update a user; data is merged")
            .AcceptsJson<UserUpdate>().Produces<UserResponse>().ProducesDetail(400, 403, 404, 422, 429);
        return app;
    }

    public static async Task<IResult> CreateUser(HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var (input, inputError) = UserInput.Read(body!, emailRequired: true);
        if (inputError is not null)
        {
            return inputError;
        }
        var (user, created) = await users.CreateAsync(input!, ct);
        var response = UserResponse.From(user);
        return created ? TypedResults.Created($"/admin/users/{user.Id}", response) : TypedResults.Ok(response);
    }

    public static async Task<IResult> ListUsers(HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (skip, limit, error) = QueryValues.Paging(request);
        if (error is not null)
        {
            return error;
        }
        var page = await users.ListAsync(skip, limit, ct);
        return TypedResults.Ok(page.Select(UserResponse.From).ToList());
    }

    public static async Task<Results<Ok<UserResponse>, NotFound<ErrorBody>>> GetUserByEmail(string email, UserDirectory users, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email) ?? email;
        return await users.FindByEmailAsync(normalized, ct) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : TypedResults.NotFound(new ErrorBody("User not found"));
    }

    public static async Task<IResult> GetUser(string user_id, UserDirectory users, CancellationToken ct)
    {
        var (id, error) = QueryValues.PathId(user_id, "user_id");
        if (error is not null)
        {
            return error;
        }
        return await users.FindWithTokensAsync(id, ct) is { } user
            ? TypedResults.Ok(UserDetailResponse.From(user))
            : TypedResults.NotFound(new ErrorBody("User not found"));
    }

    public static async Task<IResult> UpdateUser(string user_id, HttpRequest request, UserDirectory users, CancellationToken ct)
    {
        var (id, idError) = QueryValues.PathId(user_id, "user_id");
        if (idError is not null)
        {
            return idError;
        }
        var (body, bodyError) = await JsonBody.ReadObjectAsync(request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }
        var (input, inputError) = UserInput.Read(body!, emailRequired: false);
        if (inputError is not null)
        {
            return inputError;
        }
        var current = await users.FindWithTokensAsync(id, ct);
        if (current is null)
        {
            return TypedResults.NotFound(new ErrorBody("User not found"));
        }
        if (input!.Email is not null && !string.Equals(input.Email, current.Email, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.BadRequest(new ErrorBody("Cannot change user email via this endpoint."));
        }
        var updated = await users.UpdateAsync(id, input, ct);
        return updated is null
            ? TypedResults.NotFound(new ErrorBody("User not found"))
            : TypedResults.Ok(UserResponse.From(updated));
    }
}
