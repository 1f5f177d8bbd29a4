using AgentIM.Auth;

namespace AgentIM.Redis;

/// <summary>
/// What running several hub nodes needs: Redis (optional) for shared counters and fan-out, and PostgreSQL
/// NOTIFY for revocations, which every node hears with or without Redis.
/// </summary>
public static class ClusterSetup
{
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<ClusterFanOut>();
        services.AddSingleton<SharedCounters>();
        services.AddSingleton<RedisRevocations>();
        services.AddSingleton<SharedPermissions>();
        services.AddSingleton<SharedPresence>();
        services.AddHostedService<RevocationListener>();
        return services;
    }

    /// <summary>Connects to Redis (waiting at most its connect timeout; a Redis that is down is attached later).</summary>
    public static async Task AttachClusterAsync(this IServiceProvider services)
    {
        await services.GetRequiredService<RedisConnection>().StartAsync();
        var revocations = services.GetRequiredService<SessionRevocations>();
        var fanOut = services.GetRequiredService<ClusterFanOut>();
        fanOut.SessionsClosedElsewhere += (userId, sessionId, atMs) =>
        {
            if (sessionId is null)
            {
                revocations.ApplyRemoteUser(userId, atMs > 0 ? atMs : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
            else
            {
                revocations.ApplyRemoteSession(userId, sessionId, 0);
            }
        };
        await fanOut.StartAsync();
        services.GetRequiredService<RedisRevocations>().Start();
    }
}
