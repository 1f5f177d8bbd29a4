using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Pending permission requests in Redis, so a room member on any node can answer (decisions.md):
/// <c>perm:&lt;requestId&gt;</c> = <c>agentId \n roomId</c>, expiring with the request. Whoever deletes the key first
/// (an answer on any node, or the expiry on the gateway's node) decides the single outcome. Key names are stable.
/// </summary>
public sealed class SharedPermissions(RedisConnection redis)
{
    private const string Prefix = "perm:";

    /// <summary>Stores the request; false when Redis is away (the request is then answerable on this node only).</summary>
    public async Task<bool> StoreAsync(string requestId, string agentId, string roomId, TimeSpan timeout)
    {
        if (redis.Database("permission request") is not { } db)
        {
            return false;
        }

        try
        {
            return await db.StringSetAsync(Prefix + requestId, $"{agentId}\n{roomId}", timeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("permission request", e);
            return false;
        }
    }

    /// <summary>The agent and room of a request pending on some node, or null.</summary>
    public async Task<(string AgentId, string RoomId)?> FindAsync(string requestId)
    {
        if (redis.Database("permission request") is not { } db)
        {
            return null;
        }

        try
        {
            var value = await db.StringGetAsync(Prefix + requestId);
            return value.IsNull || ((string)value!).Split('\n') is not [var agentId, var roomId] ? null : (agentId, roomId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("permission request", e);
            return null;
        }
    }

    /// <summary>Takes the request: true for the single winner, false if taken elsewhere, null when Redis cannot say.</summary>
    public async Task<bool?> TakeAsync(string requestId)
    {
        if (redis.Database("permission request") is not { } db)
        {
            return null;
        }

        try
        {
            return await db.KeyDeleteAsync(Prefix + requestId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("permission request", e);
            return null;
        }
    }
}
