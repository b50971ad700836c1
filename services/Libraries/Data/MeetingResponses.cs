using VexaService.Contracts;

namespace VexaService.Data;

public static class MeetingResponses
{
    /// <summary>A stored meeting as Vexa's <c>MeetingResponse</c> (contract 9.3), with our own ids and our user's id.</summary>
    public static MeetingResponse ToResponse(this Meeting m) => new(
        m.Id, m.UserId, m.Platform, m.NativeMeetingId,
        Platforms.ConstructMeetingUrl(m.Platform, m.NativeMeetingId),
        m.Status, m.BotContainerId,
        m.StartTime, m.EndTime,
        JsonData.Parse(m.Data),
        m.CreatedAt, m.UpdatedAt);
}
