namespace AgentIM.Infrastructure.Http;

/// <summary>One fixed-window HTTP limiter of behaviour.md §7. <see cref="Name"/> is stable (it names keys and logs).</summary>
public sealed record RateLimitBucket(string Name, string SettingName, int DefaultMax, TimeSpan Window, bool PerUser);

/// <summary>The HTTP limiters with the contract's numbers; we keep counters in process without halving them.</summary>
public static class RateLimitBuckets
{
    public static readonly RateLimitBucket Api = new("api", "api", 120, TimeSpan.FromSeconds(60), PerUser: false);
    public static readonly RateLimitBucket Auth = new("auth", "auth", 20, TimeSpan.FromSeconds(60), PerUser: false);
    public static readonly RateLimitBucket AuthRefresh = new("auth_refresh", "authRefresh", 60, TimeSpan.FromSeconds(60), PerUser: false);
    public static readonly RateLimitBucket Sensitive = new("sens", "sensitive", 5, TimeSpan.FromSeconds(60), PerUser: true);
    public static readonly RateLimitBucket Upload = new("upload", "upload", 10, TimeSpan.FromSeconds(60), PerUser: true);
    public static readonly RateLimitBucket RoomCreate = new("room-create", "roomCreate", 10, TimeSpan.FromHours(1), PerUser: true);
    public static readonly RateLimitBucket RouterTest = new("router-test", "routerTest", 5, TimeSpan.FromSeconds(60), PerUser: false);
    public static readonly RateLimitBucket WsUpgrade = new("ws_upgrade", "wsUpgrade", 30, TimeSpan.FromSeconds(60), PerUser: false);

    public static readonly IReadOnlyList<RateLimitBucket> All =
        [Api, Auth, AuthRefresh, Sensitive, Upload, RoomCreate, RouterTest, WsUpgrade];
}
