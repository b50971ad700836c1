using Microsoft.Extensions.Options;
using VexaService.Gateway.Auth;
using VexaService.Gateway.Caching;
using VexaService.Gateway.Docs;
using VexaService.Gateway.Live;
using VexaService.Gateway.Mcp;
using Microsoft.Extensions.Http.Resilience;
using VexaService.Caching;
using VexaService.Data;
using VexaService.Http;
using VexaService.Wholesaler;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddVexaApiDefaults();
        builder.AddVexaData();
        builder.AddVexaRedis();

        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<KeyCheck>();
        builder.Services.AddSingleton<KeyRevocations>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KeyRevocations>());
        builder.Services.AddSingleton<KeyUsage>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KeyUsage>());
        builder.Services.AddSingleton<EdgeLookup>();
        builder.Services.AddSingleton<ClientLimits>();
        // X-Forwarded-For names the client only when the connection comes from a configured proxy. With none configured
        // nothing is forwarded: ASP.NET Core trusts every sender when both trusted lists are empty, and a client must not
        // pick its own address for ClientLimits. PostConfigure, so that ASPNETCORE_FORWARDEDHEADERS_ENABLED (which clears
        // the lists and trusts everyone) cannot undo it.
        builder.Services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<RateLimitOptions>>((forwarded, limits) =>
            ForwardedClient.Apply(forwarded, limits.Value.KnownProxies));
        builder.Services.AddOptions<TranscriptCacheOptions>().BindConfiguration(TranscriptCacheOptions.Section);
        builder.Services.AddTranscriptCopies();
        builder.Services.AddSingleton<TranscriptBodies>();
        builder.Services.AddOptions<UserReadCacheOptions>().BindConfiguration(UserReadCacheOptions.Section);
        builder.Services.AddSingleton<UserReadCache>();

        // Live transcripts (/ws): one upstream socket to the Wholesaler per replica, frames routed to their owners.
        builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations();
        // The Wholesaler client: a status frame after a native id's handover is confirmed before it moves a meeting.
        builder.AddWholesalerClient();
        builder.Services.AddScoped<MeetingFollower>();
        builder.Services.AddSingleton<MeetingOwners>();
        builder.Services.AddSingleton<LiveConnections>();
        builder.Services.AddOptions<WebSocketOptions>().Configure<IOptions<LiveOptions>>((sockets, live) =>
        {
            if (live.Value.KeepAliveSeconds > 0)
            {
                sockets.KeepAliveInterval = sockets.KeepAliveTimeout = TimeSpan.FromSeconds(live.Value.KeepAliveSeconds);
            }
        });
        builder.Services.AddHostedService<LiveKeyCheck>();
        // The /ws relay in three parts, calls going one way: each client's LiveSocket asks the LiveRouter to watch a
        // meeting for its LiveOutbox; the router holds the meeting on the LiveUpstream socket and routes its frames.
        builder.Services.AddSingleton<LiveUpstream>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveUpstream>());
        builder.Services.AddSingleton<LiveStatusFrames>();
        builder.Services.AddSingleton<LiveRouter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveRouter>());
        // Our copy of every live transcript, fed by the same upstream subscriptions (one replica at a time).
        builder.Services.AddSingleton<LiveSegments>();
        builder.Services.AddSingleton<TranscriptFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TranscriptFeed>());

        // The API documents, merged from what each service says of its endpoints.
        builder.Services.AddSingleton<ApiDocuments>();
        builder.Services.AddHttpClient(ApiDocuments.HttpClientName);
        // MCP at /mcp (issue 33): stateless, so any replica answers any request; its tools call our services as the user.
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<OurApi>();
        // A bot start is not retried: a second POST could start a second bot.
        builder.Services.AddHttpClient(OurApi.HttpClientName);
        builder.Services.Configure<HttpStandardResilienceOptions>($"{OurApi.HttpClientName}-standard",
            resilience => resilience.Retry.DisableForUnsafeHttpMethods());
        builder.Services.AddMcpServer(mcp => mcp.ServerInfo = new() { Name = "vexa", Version = "1.0.0" })
            .WithHttpTransport(http => http.Stateless = true)
            .WithTools<MeetingTools>();

        // Every origin, method and header, as Vexa's gateway, but without credentials: our API authenticates by key
        // headers, never cookies, so no page needs them, and "any origin with credentials" would let any site a browser
        // visits send credentialed requests and read the answers.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()));

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }
}
