using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using VexaService.Gateway.Auth;
using VexaService.Gateway.Caching;
using VexaService.Gateway.Docs;
using VexaService.Gateway.Live;
using VexaService.Shared.Api;
using VexaService.Shared.Caching;
using VexaService.Shared.Data;
using VexaService.Shared.Wholesaler;

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
        builder.Services.AddSingleton<KeyUsage>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KeyUsage>());
        builder.Services.AddSingleton<EdgeLookup>();
        builder.Services.AddSingleton<ClientLimits>();
        // X-Forwarded-For names the client only when the connection comes from a configured proxy (none by default:
        // ASP.NET Core's default trusts loopback, and a client must not pick its own address for ClientLimits).
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<RateLimitOptions>>((forwarded, limits) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in limits.Value.KnownProxies)
            {
                if (proxy.Contains('/'))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
                else
                {
                    forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }
            }
        });
        builder.Services.AddOptions<TranscriptCacheOptions>().BindConfiguration(TranscriptCacheOptions.Section);
        builder.Services.AddSingleton<TranscriptRouteCache>();
        builder.Services.AddSingleton<TranscriptBodies>();

        // Live transcripts (/ws): one upstream socket to the Wholesaler per replica, frames routed to their owners.
        builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations();
        builder.Services.AddOptions<WholesalerOptions>().BindConfiguration(WholesalerOptions.Section);
        builder.Services.AddSingleton<WholesalerIdentity>();
        builder.Services.AddSingleton<TranscriptCopies>();
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
        builder.Services.AddSingleton<LiveRelay>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveRelay>());

        // The API documents, merged from what each service says of its endpoints.
        builder.Services.AddSingleton<ApiDocuments>();
        builder.Services.AddHttpClient(ApiDocuments.HttpClientName);

        // Vexa's gateway allows every origin, method and header, with credentials.
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            policy.SetIsOriginAllowed(_ => true).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }
}
