using System.ComponentModel.DataAnnotations;

namespace VexaService.Gateway.Live;

/// <summary>Live transcripts over <c>/ws</c>: where the Wholesaler's <c>/ws</c> is, and what one client may hold.</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>The Wholesaler's base address (http or https; its <c>/ws</c> is reached as ws or wss). The AppHost sets
    /// it; when empty, <c>Wholesaler:BaseAddress</c> is used if it is a plain URL.</summary>
    public string? WholesalerUrl { get; set; }

    /// <summary>Meetings one socket may watch at once.</summary>
    [Range(1, 10_000)]
    public int MaxSubscriptionsPerSocket { get; set; } = 100;

    /// <summary>Meetings one <c>subscribe</c> or <c>unsubscribe</c> may name: a longer list is refused before any query.</summary>
    [Range(1, 10_000)]
    public int MaxMeetingsPerMessage { get; set; } = 100;

    /// <summary>How long the upstream subscription of a meeting nobody watches any more is kept: a client that
    /// unsubscribes and subscribes again (or reconnects) within it costs the Wholesaler nothing.</summary>
    [Range(0, 3600)]
    public int UpstreamLingerSeconds { get; set; } = 30;

    /// <summary>Sockets one API key may hold open on one gateway replica.</summary>
    [Range(1, 10_000)]
    public int MaxSocketsPerKey { get; set; } = 20;

    /// <summary>A ping to each client this often, and a client whose pong has not come within as long again is cut off
    /// (a client whose network went away without a close: otherwise its socket, and one of its key's places, stay
    /// taken). 0 turns both off.</summary>
    [Range(0, 3600)]
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>How often the keys of open sockets are checked: a key deleted or expired since has its sockets closed
    /// (4401) at the next check.</summary>
    [Range(1, 3600)]
    public int KeyCheckSeconds { get; set; } = 5;

    /// <summary>Frames waiting for a slow client; when they are this many, the client is closed (4429).</summary>
    [Range(1, 100_000)]
    public int SendQueueFrames { get; set; } = 256;

    /// <summary>Whether this deployment follows every live meeting's transcript into our copy (one replica at a time,
    /// <see cref="TranscriptFeed"/>), so live transcripts are read without calling the Wholesaler.</summary>
    public bool Feed { get; set; } = true;

    /// <summary>How often the feed publishes its epoch and looks for meetings that started, ended or need catching up.</summary>
    [Range(100, 60_000)]
    public int FeedIntervalMs { get; set; } = 1000;
}
