using System.Globalization;
using AgentIM.Auth;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Revocation entries in Redis (behaviour.md §3.3, keys stable): <c>revoked:&lt;userId&gt;</c> = revoked-before instant in ms,
/// <c>revoked:s:&lt;sessionId&gt;</c> = user id, each expiring with the longest access token it can stop, so the set is
/// bounded. PostgreSQL stays the record and its NOTIFY the announcement; these entries let a node that was cut off
/// from the others catch up the moment Redis is back.
/// </summary>
public sealed class RedisRevocations(RedisConnection redis, SessionRevocations revocations, TokenService tokens)
{
    public const string Prefix = "revoked:";
    public const string SessionPrefix = "revoked:s:";

    public void Start()
    {
        if (!redis.IsConfigured)
        {
            return;
        }

        revocations.Revoked += revocation =>
        {
            if (!revocation.Remote)
            {
                _ = StoreAsync(revocation);
            }
        };
        redis.Restored += () => _ = CatchUpAsync();
    }

    private async Task StoreAsync(Revocation revocation)
    {
        if (redis.Database("revocation") is not { } db)
        {
            return;
        }

        try
        {
            var (key, value) = revocation.SessionId is { } sessionId
                ? (SessionPrefix + sessionId, revocation.UserId)
                : (Prefix + revocation.UserId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            await db.StringSetAsync(key, value, tokens.LongestAccessLifetime);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("revocation", e);
        }
    }

    /// <summary>Applies every revocation entry Redis holds (after an outage; entries already known change nothing).</summary>
    public async Task CatchUpAsync()
    {
        if (redis.Database("revocation") is not { } db || redis.Multiplexer is not { } multiplexer)
        {
            return;
        }

        try
        {
            var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
            await foreach (var key in server.KeysAsync(db.Database, Prefix + "*", pageSize: 500))
            {
                var name = key.ToString();
                var value = await db.StringGetAsync(key);
                if (value.IsNull)
                {
                    continue;
                }

                if (name.StartsWith(SessionPrefix, StringComparison.Ordinal))
                {
                    revocations.ApplyRemoteSession((string)value!, name[SessionPrefix.Length..], 0);
                }
                else if (long.TryParse((string?)value, CultureInfo.InvariantCulture, out var atMs))
                {
                    revocations.ApplyRemoteUser(name[Prefix.Length..], atMs);
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            redis.CountFallback("revocation", e);
        }
    }
}
