using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Fixed-window counters and small sets shared by every node, each one atomic round trip (behaviour.md §7, §12).
/// Every method returns null when Redis is not configured or not reachable; the caller then counts in process.
/// Key names (<c>rl:…</c>, <c>ws:rate:…</c>, <c>ws:agent_rate:…</c>, <c>conv:…:visited</c>) are stable.
/// </summary>
public sealed class SharedCounters(RedisConnection redis)
{
    // INCR, and the window starts with the first hit; a key left without a TTL (never expected) gets one.
    private const string HitScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return {count, tonumber(ARGV[1])}
        end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            ttl = tonumber(ARGV[1])
        end
        return {count, ttl}
        """;

    private const string VisitScript = """
        redis.call('SADD', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return redis.call('SMEMBERS', KEYS[1])
        """;

    // Debounce by the last notice's time; the key lives as long as the indicator does (4 s, decisions.md).
    private const string TypingScript = """
        local last = redis.call('GET', KEYS[1])
        if last and tonumber(ARGV[1]) - tonumber(last) < tonumber(ARGV[2]) then
            return 0
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    public static readonly TimeSpan TypingLifetime = TimeSpan.FromSeconds(4);

    /// <summary>True when Redis is configured (a fallback then halves HTTP limits, each node counting alone).</summary>
    public bool IsConfigured => redis.IsConfigured;

    /// <summary>Counts one hit on <paramref name="key"/>; the count in the current window and the time it has left.</summary>
    public async ValueTask<(long Count, TimeSpan Remaining)?> HitAsync(string key, TimeSpan window)
    {
        if (redis.Database("rate limit") is not { } db)
        {
            return null;
        }

        try
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(HitScript, [key], [(long)window.TotalMilliseconds]))!;
            return ((long)result[0], TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("rate limit", e);
            return null;
        }
    }

    /// <summary>
    /// Records a typing notice of the user in the room (<c>ws:typing:&lt;userId&gt;:&lt;roomId&gt;</c>); false when one was
    /// sent within <paramref name="debounce"/> from any node.
    /// </summary>
    public async ValueTask<bool?> TryMarkTypingAsync(string userId, string roomId, TimeSpan debounce)
    {
        if (redis.Database("typing") is not { } db)
        {
            return null;
        }

        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var result = await db.ScriptEvaluateAsync(
                TypingScript,
                [$"ws:typing:{userId}:{roomId}"],
                [now, (long)debounce.TotalMilliseconds, (long)TypingLifetime.TotalMilliseconds]);
            return (long)result == 1;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("typing", e);
            return null;
        }
    }

    /// <summary>Adds <paramref name="member"/> to the set, renews its lifetime and returns every member.</summary>
    public async ValueTask<HashSet<string>?> AddToSetAsync(string key, string member, TimeSpan lifetime)
    {
        if (redis.Database("loop detection") is not { } db)
        {
            return null;
        }

        try
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(VisitScript, [key], [member, (long)lifetime.TotalMilliseconds]))!;
            return result.Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("loop detection", e);
            return null;
        }
    }
}
