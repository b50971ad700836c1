using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VexaService.Data;

namespace VexaService.Caching;

/// <summary>
/// The copies of a meeting's transcript kept in Redis: the final bytes (a completed transcript never changes), the
/// live copy with its freshness mark, and the route's cached answer (<see cref="TranscriptRouteCache"/>). Whichever
/// service learns that a meeting changed (Transcripts from a webhook, PATCH or DELETE; the gateway from a <c>/ws</c>
/// status frame) drops them here, so the next read shows the change.
/// </summary>
public sealed class TranscriptCopies(IConnectionMultiplexer redis, TranscriptRouteCache routes, ILogger<TranscriptCopies> logger)
    : IMeetingStatusObserver
{
    /// <summary>A change of status (<see cref="MeetingStatusWriter"/>): a final meeting's transcript is fetched (and
    /// cached) fresh on its next read; a live one's next read shows the new status.</summary>
    public Task ChangedAsync(Meeting meeting) =>
        MeetingStatus.IsFinal(meeting.Status) ? DropAsync(meeting) : DropLiveAsync(meeting.Id);

    /// <summary>Forgets the live copy after a change of status, so that the next read shows it at once.</summary>
    public Task DropLiveAsync(long meetingId) =>
        redis.TryAsync(db => db.KeyDeleteAsync([RedisKeys.TranscriptLive(meetingId), RedisKeys.TranscriptLiveFresh(meetingId)]), logger,
            $"Could not drop live transcript {meetingId}");

    /// <summary>Forgets every copy: the meeting ended, was edited or deleted.</summary>
    public async Task DropAsync(Meeting meeting)
    {
        await redis.TryAsync(db => db.KeyDeleteAsync(
                [RedisKeys.TranscriptFinal(meeting.Id), RedisKeys.TranscriptLive(meeting.Id), RedisKeys.TranscriptLiveFresh(meeting.Id)]), logger,
            $"Could not drop cached transcript {meeting.Id}");
        await routes.InvalidateAsync(meeting.UserId, meeting.Platform, meeting.NativeMeetingId);
    }
}

public static class TranscriptCopiesExtensions
{
    /// <summary>The transcript copies and route cache, told of every change of a meeting's status.</summary>
    public static IServiceCollection AddTranscriptCopies(this IServiceCollection services)
    {
        services.AddSingleton<TranscriptRouteCache>();
        services.AddSingleton<TranscriptCopies>();
        services.AddSingleton<IMeetingStatusObserver>(provider => provider.GetRequiredService<TranscriptCopies>());
        return services;
    }
}
