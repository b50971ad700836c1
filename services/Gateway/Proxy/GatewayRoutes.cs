namespace VexaService.Gateway.Proxy;

/// <summary>
/// The YARP route ids (<c>appsettings.json</c>, <c>ReverseProxy:Routes</c>) that code depends on. A route renamed there
/// but not here would silently switch a check off (the admin brute-force limit, the gateway's transcript answers), so a
/// test reads the configuration and fails unless each id names a route with the path the code expects.
/// </summary>
public static class GatewayRoutes
{
    /// <summary><c>/admin/{**rest}</c>: its 403s count against the client's admin budget (<c>AdminFailureLimitMiddleware</c>).</summary>
    public const string Admin = "admin";

    /// <summary><c>/transcripts/{**rest}</c>: a plain read of a final transcript may be answered at the gateway.</summary>
    public const string Transcripts = "transcripts";

    /// <summary><c>/meetings/{**rest}</c>: its GETs may be kept at the gateway (<c>UserReadCache</c>), as those of the three below.</summary>
    public const string Meetings = "meetings";

    /// <summary><c>/bots</c> (GET): the caller's meetings a page at a time.</summary>
    public const string BotsList = "bots-list";

    /// <summary><c>/bots/{**rest}</c>: <c>GET /bots/status</c>.</summary>
    public const string Bots = "bots";

    /// <summary><c>/user/{**rest}</c>: <c>GET /user/usage</c>.</summary>
    public const string User = "user";
}
