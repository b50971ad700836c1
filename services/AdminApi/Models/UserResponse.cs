using System.Text.Json.Nodes;
using VexaService.Data;

namespace VexaService.AdminApi.Models;

/// <summary>Vexa's <c>UserResponse</c> (contract 9.1).</summary>
public sealed record UserResponse(
    string Email, string? Name, string? ImageUrl, int MaxConcurrentBots, JsonObject Data, long Id, DateTime CreatedAt)
{
    public static UserResponse From(User u) =>
        new(u.Email, u.Name, u.ImageUrl, u.MaxConcurrentBots, JsonData.Parse(u.Data), u.Id, u.CreatedAt);
}

/// <summary>Vexa's <c>UserDetailResponse</c>: the user plus its tokens.</summary>
public sealed record UserDetailResponse(
    string Email, string? Name, string? ImageUrl, int MaxConcurrentBots, JsonObject Data, long Id, DateTime CreatedAt,
    IReadOnlyList<TokenResponse> ApiTokens)
{
    public static UserDetailResponse From(User u) =>
        new(u.Email, u.Name, u.ImageUrl, u.MaxConcurrentBots, JsonData.Parse(u.Data), u.Id, u.CreatedAt,
            u.ApiTokens.OrderBy(t => t.Id).Select(TokenResponse.Masked).ToList());
}

/// <summary>
/// Vexa's <c>TokenResponse</c>, with the key's name, scopes, expiry and last use. The plaintext token exists only in
/// the response to its creation; afterwards only its prefix is known, shown as <c>"AbCd1234…"</c>.
/// </summary>
public sealed record TokenResponse(
    long UserId, long Id, string Token, DateTime CreatedAt, string? Name, IReadOnlyList<string> Scopes, DateTime? ExpiresAt,
    DateTime? LastUsedAt)
{
    public static TokenResponse Masked(ApiToken t) => From(t, t.TokenPrefix + "…");

    public static TokenResponse From(ApiToken t, string token) =>
        new(t.UserId, t.Id, token, t.CreatedAt, t.Name, t.Scopes, t.ExpiresAt, t.LastUsedAt);
}

/// <summary>One row of <c>GET /admin/stats/meetings-users</c>: the meeting plus its owner.</summary>
public sealed record MeetingUserResponse(
    long Id, long UserId, string Platform, string? NativeMeetingId, string? ConstructedMeetingUrl, string Status,
    string? BotContainerId, DateTime? StartTime, DateTime? EndTime, JsonObject Data, DateTime? CreatedAt,
    DateTime? UpdatedAt, UserResponse User)
{
    public static MeetingUserResponse From(Meeting m)
    {
        var r = m.ToResponse();
        return new(r.Id, r.UserId, r.Platform, r.NativeMeetingId, r.ConstructedMeetingUrl, r.Status, r.BotContainerId,
            r.StartTime, r.EndTime, r.Data, r.CreatedAt, r.UpdatedAt, UserResponse.From(m.User!));
    }
}

public sealed record MeetingsUsersPage(int Total, IReadOnlyList<MeetingUserResponse> Items);
