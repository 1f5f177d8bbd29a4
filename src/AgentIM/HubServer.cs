using AgentIM.Agents;
using AgentIM.Auth;
using AgentIM.Bookmarks;
using AgentIM.Docs;
using AgentIM.Health;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;
using AgentIM.Metrics;
using AgentIM.Realtime;
using AgentIM.Redis;
using AgentIM.Rooms;
using AgentIM.Routers;
using AgentIM.Settings;
using AgentIM.Tasks;
using AgentIM.Uploads;
using AgentIM.Users;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AgentIM;

/// <summary>
/// Builds the hub: configuration in, a ready web application out. The serve command and the tests use the same
/// code, so what the tests start is what production runs.
/// </summary>
public static class HubServer
{
    public static WebApplication Build(HubConfig config, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = config.IsProduction ? Environments.Production : Environments.Development,
            ContentRootPath = AppContext.BaseDirectory,
        });
        AddSystemdIntegration(builder.Services);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(ParseLevel(config.LogLevel));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ParseHost(config.Host), config.Port);
            kestrel.AddServerHeader = false;
            // Uploads are the largest bodies (rest-api.md §0.4); JSON bodies are held to 1 MiB where they are read.
            kestrel.Limits.MaxRequestBodySize = 12 * 1024 * 1024;
        });
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));

        AddHubServices(builder.Services, config);

        var app = builder.Build();
        // Before routing, so a HEAD finds the GET route; everything else runs after it, as it would by default.
        app.UseMiddleware<HeadRequests>();
        app.UseRouting();
        app.UseMiddleware<HttpMetrics.Middleware>();
        app.UseMiddleware<ErrorHandling>();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<CorsPolicy>();
        app.UseMiddleware<RateLimiting>();
        app.UseWebClient();
        app.UseWebSockets();
        app.MapHealth();
        app.MapMetrics();
        app.MapAdminMetrics();
        app.MapAuth();
        app.MapUsers();
        app.MapRooms();
        app.MapMessages();
        app.MapAgents();
        app.MapTasks();
        app.MapBookmarks();
        app.MapRealtime();
        app.MapRouters();
        app.MapSettings();
        app.MapUploads();
        app.MapOpenApi();
        // Unknown API routes answer the contract's plain-text 404.
        app.Map("/api/{**rest}", () => Results.Text("404 Not Found", statusCode: 404));
        app.Services.NotifyGatewaysOnRevocation();
        app.Services.CloseSocketsOnRevocation();
        return app;
    }

    /// <summary>Everything that must happen before the first request: schema, admin, a clean connection state.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var config = app.Services.GetRequiredService<HubConfig>();
        if (config.RunMigrations)
        {
            await app.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        }

        Directory.CreateDirectory(config.UploadDir);
        await app.Services.GetRequiredService<AuthService>().SeedAdminAsync(cancellationToken);
        // With Redis, agents that another running node holds stay online (without it, or while it is away: all reset).
        await app.Services.GetRequiredService<RedisConnection>().StartAsync();
        var heldElsewhere = await app.Services.GetRequiredService<ClusterFanOut>().AgentsHeldByRunningNodesAsync();
        await app.Services.GetRequiredService<AgentStore>().ResetConnectionStateAsync(heldElsewhere ?? [], cancellationToken);
        await app.Services.GetRequiredService<SessionRevocations>().LoadAsync(cancellationToken);

        await app.Services.AttachClusterAsync();

        // Start-up (migrations, configuration, the first queries) leaves garbage that an idle hub allocates too little
        // to collect on its own; it would sit in RSS until the first busy moment. (Password hashing leaves none.)
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    public static void AddHubServices(IServiceCollection services, HubConfig config)
    {
        services.AddSingleton(config);
        services.AddSingleton(_ => new HubDatabase(ConnectionStrings.ToNpgsql(config.DatabaseUrl, config.DbPoolSize)));
        services.AddSingleton<Migrator>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<HttpMetrics>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<SessionRevocations>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<RoomStore>();
        services.AddSingleton<RoomAgentsCache>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<MessageQueries>();
        services.AddSingleton<MessageChanges>();
        services.AddSingleton<MessageEvents>();
        services.AddSingleton<AgentStore>();
        services.AddSingleton<AgentQueries>();
        services.AddSingleton<DeletedAgents>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<BookmarkStore>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<Presence>();
        services.AddSingleton<PermissionRequests>();
        services.AddSingleton<AgentChains>();
        services.AddSingleton<WorkspaceRequests>();
        services.AddSingleton<RealtimeStore>();
        services.AddSingleton<RoomContexts>();
        services.AddSingleton<MessageRateLimiter>();
        services.AddSingleton<SenderCooldowns>();
        services.AddSingleton<RoomEvents>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<InterruptedStreams>();
        services.AddSingleton<RealtimeShutdown>();
        services.AddSingleton<BroadcastRouter>();
        services.AddSingleton<ClientSocketHandler>();
        services.AddSingleton<GatewaySocketHandler>();
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddCluster();
        services.AddSettings();
        services.AddRouters();
        services.AddUploads();
        services.AddSingleton<Maintenance.Housekeeping>();
        services.AddHostedService(sp => sp.GetRequiredService<Maintenance.Housekeeping>());
        services.AddHostedService<Maintenance.MemoryTrimmer>();
    }

    /// <summary>
    /// READY/STOPPING notifications and journald-style logs under systemd. A NOTIFY_SOCKET without a systemd parent
    /// (systemd-run, a supervisor that speaks the protocol, our tests) is honoured too.
    /// </summary>
    private static void AddSystemdIntegration(IServiceCollection services)
    {
        if (Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService())
        {
            services.AddSystemd();
        }
        else if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 })
        {
            services.AddSingleton<
                Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
            services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Systemd.SystemdLifetime>();
        }
        else
        {
            return;
        }

        services.AddHostedService<Infrastructure.Systemd.WatchdogPinger>();
    }

    private static System.Net.IPAddress ParseHost(string host) => host switch
    {
        "localhost" => System.Net.IPAddress.Loopback,
        "0.0.0.0" or "*" => System.Net.IPAddress.Any,
        "::" => System.Net.IPAddress.IPv6Any,
        _ => System.Net.IPAddress.TryParse(host, out var address)
            ? address
            : throw new ConfigException("HOST", "must be an IP address (for example 127.0.0.1 or 0.0.0.0)"),
    };

    private static LogLevel ParseLevel(string level) => level.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" or "critical" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
