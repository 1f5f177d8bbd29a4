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
