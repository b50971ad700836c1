using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VexaService.Data;
using VexaService.Keys;

namespace VexaService.AdminApi.Services;

/// <summary>Users and their API tokens in our own database.</summary>
public sealed class UserDirectory(VexaDbContext db, TokenCache tokenCache, ApiTokenGenerator tokens)
{
    /// <summary>Creates the user, or returns the existing one unchanged (Created = false) when the e-mail is known.</summary>
    public async Task<(User User, bool Created)> CreateAsync(UserInput input, CancellationToken ct)
    {
        if (await FindByEmailAsync(input.Email!, ct) is { } existing)
        {
            return (existing, false);
        }
        var user = new User
        {
            Email = input.Email!,
            Name = input.Name,
            ImageUrl = input.ImageUrl,
            MaxConcurrentBots = input.MaxConcurrentBots ?? 1,
            Data = input.Data?.ToJsonString() ?? "{}",
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another request created the same e-mail between our check and our insert: answer as if it came first.
            db.ChangeTracker.Clear();
            return ((await FindByEmailAsync(input.Email!, ct))!, false);
        }
        await db.Entry(user).ReloadAsync(ct); // server defaults (created_at)
        return (user, true);
    }

    public Task<List<User>> ListAsync(int skip, int limit, CancellationToken ct) =>
        db.Users.AsNoTracking().OrderBy(u => u.Id).Skip(skip).Take(limit).ToListAsync(ct);

    public Task<User?> FindAsync(long id, CancellationToken ct) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);

    public Task<User?> FindByEmailAsync(string email, CancellationToken ct) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, ct);

    public Task<User?> FindWithTokensAsync(long id, CancellationToken ct) =>
        db.Users.AsNoTracking().Include(u => u.ApiTokens).FirstOrDefaultAsync(u => u.Id == id, ct);

    public async Task<User?> UpdateAsync(long id, UserInput input, CancellationToken ct)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return null;
        }
        if (input.SentName)
        {
            user.Name = input.Name;
        }
        if (input.SentImageUrl)
        {
            user.ImageUrl = input.ImageUrl;
        }
        if (input.MaxConcurrentBots is { } maxBots)
        {
            user.MaxConcurrentBots = maxBots;
        }
        if (input.Data is { } data)
        {
            await db.MergeDataAsync(user, data, ct);
        }
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>Creates a token; returns the entity and the plaintext, which is never stored.</summary>
    public async Task<(ApiToken Token, string Plaintext)?> CreateTokenAsync(long userId, TokenInput input, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return null;
        }
        var plaintext = tokens.NewToken();
        var token = new ApiToken
        {
            UserId = userId,
            TokenHash = ApiKeyHash.Compute(plaintext),
            TokenPrefix = plaintext[..8],
            Name = input.Name,
            ExpiresAt = input.ExpiresAt,
            Scopes = input.Scopes,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        await db.Entry(token).ReloadAsync(ct);
        await tokenCache.DropAsync(token.TokenHash);
        return (token, plaintext);
    }

    /// <returns>The user's keys, oldest first; null for an unknown user.</returns>
    public async Task<List<ApiToken>?> ListTokensAsync(long userId, CancellationToken ct) =>
        await db.Users.AnyAsync(u => u.Id == userId, ct)
            ? await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.Id).ToListAsync(ct)
            : null;

    public async Task<bool> DeleteTokenAsync(long tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId, ct);
        if (token is null)
        {
            return false;
        }
        db.ApiTokens.Remove(token);
        await db.SaveChangesAsync(ct);
        await tokenCache.DropAsync(token.TokenHash);
        return true;
    }

    /// <param name="events">The events chosen; null keeps the current choice.</param>
    public async Task<User?> SetWebhookAsync(long userId, string url, string? secret, bool sentSecret, IReadOnlyList<string>? events,
        CancellationToken ct)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return null;
        }
        var patch = new JsonObject { [UserWebhook.UrlKey] = url };
        if (events is not null)
        {
            patch[WebhookEvents.DataKey] = new JsonArray([.. events.Select(e => JsonValue.Create(e))]);
        }
        await db.MergeDataAsync(user, patch, ct);
        if (sentSecret)
        {
            user.WebhookSecret = secret;
        }
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<(int Total, List<Meeting> Items)> MeetingsWithUsersAsync(int skip, int limit, CancellationToken ct)
    {
        var total = await db.Meetings.CountAsync(ct);
        var items = await db.Meetings.AsNoTracking().Include(m => m.User)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(skip).Take(limit).ToListAsync(ct);
        return (total, items);
    }
}
