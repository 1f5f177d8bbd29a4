using AgentIM.Redis;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Redis;

/// <summary>
/// Two hub nodes in one test process on two loopback ports, sharing one database and one private Redis. Each
/// test class that uses it gets its own Redis and database, so a drill that stops Redis disturbs nobody else.
/// </summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    /// <summary>A client's frame budget per user: small enough that two nodes counting alone would let more through.</summary>
    public const int ClientRateLimitMax = 40;

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["CLIENT_RATE_LIMIT_MAX"] = ClientRateLimitMax.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CLIENT_RATE_LIMIT_WINDOW"] = "60",
    };

    public RedisServer Redis { get; private set; } = null!;
    public NodeFixture A { get; private set; } = null!;
    public NodeFixture B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        A = new NodeFixture(Redis.Url, Settings);
        await A.InitializeAsync();
        B = new NodeFixture(Redis.Url, Settings, A.DatabaseUrl, A.Config.JwtSecret);
        await B.InitializeAsync();
        await WaitUntilSharedAsync();
    }

    /// <summary>Both nodes are subscribed to the fan-out channels (after start, or after Redis came back).</summary>
    public Task WaitUntilSharedAsync(TimeSpan? deadline = null) => Eventually.AssertAsync(
        () => Task.FromResult(IsShared(A) && IsShared(B)), "both nodes subscribed to Redis", deadline ?? TimeSpan.FromSeconds(30));

    /// <summary>A fresh user (created through node A) logged in on node A and on node B.</summary>
    public async Task<(Session OnA, Session OnB)> CreateUserAsync(string prefix)
    {
        var onA = await TestUsers.CreateAsync(A, prefix);
        var onB = await B.LoginAsync(onA.Username, HubFixture.UserPassword);
        return (onA, onB);
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private static bool IsShared(HubFixture node) => node.Services.GetRequiredService<ClusterFanOut>().IsSubscribed;
}
