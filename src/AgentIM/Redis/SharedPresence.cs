using AgentIM.Realtime;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Which nodes hold sockets of a user (behaviour.md §4 across nodes): the set <c>presence:&lt;userId&gt;</c> of node ids,
/// where a node whose <c>node:&lt;nodeId&gt;</c> key expired (a crashed node, see <see cref="ClusterFanOut"/>) counts
/// as holding nothing and is removed; <c>presence-leaving:&lt;userId&gt;</c> marks an offline notice that is pending
/// on some node. Every method is one atomic script and returns null when Redis is not configured or not reachable;
/// the caller then decides with this node's sockets alone. The commands are sent in call order. When Redis comes
/// back (possibly without its data), this node adds itself again for every user it holds sockets of.
/// </summary>
public sealed class SharedPresence
{
    // Adds this node; the user was already online when another running node holds a socket or an offline is pending.
    private const string ArriveScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        local others = 0
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if id ~= ARGV[1] then
                if redis.call('EXISTS', ARGV[2] .. id) == 1 then
                    others = others + 1
                else
                    redis.call('SREM', KEYS[1], id)
                end
            end
        end
        local returning = redis.call('DEL', KEYS[2])
        if others > 0 or returning == 1 then
            return 1
        end
        return 0
        """;

    // Removes this node; when no running node holds a socket any more, marks the offline notice as pending.
    private const string LeaveScript = """
        redis.call('SREM', KEYS[1], ARGV[1])
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if redis.call('EXISTS', ARGV[2] .. id) == 1 then
                return 0
            end
            redis.call('SREM', KEYS[1], id)
        end
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    // Claims the pending offline notice (once across nodes), unless a running node holds a socket again.
    private const string ClaimOfflineScript = """
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if redis.call('EXISTS', ARGV[1] .. id) == 1 then
                return 0
            end
            redis.call('SREM', KEYS[1], id)
        end
        return redis.call('DEL', KEYS[2])
        """;

    private readonly RedisConnection _redis;
    private readonly ConnectionRegistry _registry;

    public SharedPresence(RedisConnection redis, ConnectionRegistry registry)
    {
        _redis = redis;
        _registry = registry;
        redis.Restored += AddLocalUsers;
    }

    // Outlives the 2 s debounce by far, so a slow node still finds its mark; deleted when claimed or cancelled.
    private static readonly TimeSpan LeavingLifetime = TimeSpan.FromSeconds(30);

    /// <summary>True when the user was already online on another node (no online notice); started before it returns.</summary>
    public Task<bool?> ArriveAsync(string userId) =>
        RunAsync(ArriveScript, userId, [_redis.NodeId, ClusterFanOut.NodeKeyPrefix]);

    /// <summary>True when no node holds a socket of the user any more, so an offline notice is pending.</summary>
    public Task<bool?> LeaveAsync(string userId) =>
        RunAsync(LeaveScript, userId, [_redis.NodeId, ClusterFanOut.NodeKeyPrefix, (long)LeavingLifetime.TotalMilliseconds]);

    /// <summary>True when this node is the one to announce the user offline.</summary>
    public Task<bool?> ClaimOfflineAsync(string userId) =>
        RunAsync(ClaimOfflineScript, userId, [ClusterFanOut.NodeKeyPrefix]);

    private Task<bool?> RunAsync(string script, string userId, RedisValue[] args)
    {
        if (!_redis.IsConfigured || _redis.Database("presence") is not { } db)
        {
            return Task.FromResult<bool?>(null);
        }

        try
        {
            // Queued here, synchronously, so a user's arrivals and departures reach Redis in call order.
            return CompleteAsync(db.ScriptEvaluateAsync(script, [$"presence:{userId}", $"presence-leaving:{userId}"], args));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback("presence", e);
            return Task.FromResult<bool?>(null);
        }
    }

    private void AddLocalUsers()
    {
        if (_redis.Database("presence") is not { } db)
        {
            return;
        }

        foreach (var userId in _registry.AllClients().Select(c => c.UserId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            _ = IgnoreFailureAsync(db.SetAddAsync($"presence:{userId}", _redis.NodeId));
        }
    }

    private async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback("presence", e);
        }
    }

    private async Task<bool?> CompleteAsync(Task<RedisResult> pending)
    {
        try
        {
            return (long)await pending == 1;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback("presence", e);
            return null;
        }
    }
}
