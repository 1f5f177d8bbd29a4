using AgentIM.Tests.Support;

namespace AgentIM.Tests.Redis;

/// <summary>
/// What a user or an agent looks like across nodes (issue #5): presence counts the sockets of every running node,
/// room contexts reach an agent on another node, a node that starts leaves the other nodes' agents online, and a
/// node that stopped renewing its <c>node:&lt;id&gt;</c> key holds nothing any more.
/// </summary>
public sealed class ClusterStateTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan PastDebounce = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Presence_SocketOnEachNode_OfflineOnlyWhenBothClosed()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var (bobA, _) = await nodes.CreateUserAsync("bob");
        await using var bob = await WsPeer.ClientAsync(bobA);
        var onA = await WsPeer.ClientAsync(aliceA);
        bool IsAlice(System.Text.Json.Nodes.JsonObject f) => f["userId"]!.GetValue<string>() == aliceA.UserId;
        await bob.WaitForAsync("server:presence", f => IsAlice(f) && f["online"]!.GetValue<bool>());
        var onB = await WsPeer.ClientAsync(aliceB);

        await onB.DisposeAsync();

        await Task.Delay(PastDebounce);
        await bob.PingAsync();
        Assert.Empty(bob.All("server:presence", f => IsAlice(f) && !f["online"]!.GetValue<bool>()));
        await onA.DisposeAsync();
        await bob.WaitForAsync("server:presence", f => IsAlice(f) && !f["online"]!.GetValue<bool>(), TimeSpan.FromSeconds(15));
        await bob.PingAsync();
        Assert.Single(bob.All("server:presence", f => IsAlice(f) && f["online"]!.GetValue<bool>()));
        Assert.Single(bob.All("server:presence", f => IsAlice(f) && !f["online"]!.GetValue<bool>()));
        Assert.Equal("0", (await nodes.Redis.CliAsync("EXISTS", $"presence:{aliceA.UserId}")).Trim());
    }

    [Fact]
    public async Task Presence_BackOnTheOtherNodeWithinTwoSeconds_NeitherNotice()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var (bobA, _) = await nodes.CreateUserAsync("bob");
        await using var bob = await WsPeer.ClientAsync(bobA);
        var onA = await WsPeer.ClientAsync(aliceA);
        bool IsAlice(System.Text.Json.Nodes.JsonObject f) => f["userId"]!.GetValue<string>() == aliceA.UserId;
        await bob.WaitForAsync("server:presence", f => IsAlice(f) && f["online"]!.GetValue<bool>());

        await onA.DisposeAsync();
        await using var onB = await WsPeer.ClientAsync(aliceB);

        Assert.Null(await bob.TryWaitForAsync("server:presence", f => IsAlice(f) && !f["online"]!.GetValue<bool>(), PastDebounce));
        Assert.Single(bob.All("server:presence", f => IsAlice(f)));
    }

    [Fact]
    public async Task Presence_EntryOfAStoppedNode_DoesNotKeepTheUserOnline()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var (bobA, _) = await nodes.CreateUserAsync("bob");
        await using var bob = await WsPeer.ClientAsync(bobA);
        var onB = await WsPeer.ClientAsync(aliceB);
        bool IsAlice(System.Text.Json.Nodes.JsonObject f) => f["userId"]!.GetValue<string>() == aliceA.UserId;
        await bob.WaitForAsync("server:presence", f => IsAlice(f) && f["online"]!.GetValue<bool>());
        // A node that crashed while holding a socket of alice: its entry stays, its node key is gone.
        await nodes.Redis.CliAsync("SADD", $"presence:{aliceA.UserId}", "crashed-node");

        await onB.DisposeAsync();

        await bob.WaitForAsync("server:presence", f => IsAlice(f) && !f["online"]!.GetValue<bool>(), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task RoomContext_MemberAddedOnNodeA_ReachesTheAgentsGatewayOnNodeB()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var (bobA, _) = await nodes.CreateUserAsync("bob");
        var roomId = await aliceA.CreateRoomAsync("contexts");
        var agentId = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(aliceB, Unique.Id("gw"), (agentId, "dev"));
        await aliceA.AddMemberAsync(roomId, agentId, "agent");
        await gateway.WaitForAsync("server:room_context", f => f["context"]!["roomId"]!.GetValue<string>() == roomId);

        await aliceA.AddMemberAsync(roomId, bobA.UserId, "user");

        var frame = await gateway.WaitForAsync(
            "server:room_context", f => f["context"]!["members"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == bobA.UserId));
        Assert.Equal(agentId, frame["agentId"]!.GetValue<string>());
        Assert.Equal(roomId, frame["context"]!["roomId"]!.GetValue<string>());
        await gateway.PingAsync("gateway:ping");
        Assert.Equal(2, gateway.All("server:room_context").Count());
    }

    [Fact]
    public async Task ThirdNodeStarting_LeavesTheAgentsOfNodeBOnline()
    {
        var (_, aliceB) = await nodes.CreateUserAsync("alice");
        var agentId = Unique.Id("ag");
        var gatewayId = Unique.Id("gw");
        await using var gateway = await WsPeer.GatewayAsync(aliceB, gatewayId, (agentId, "dev"));
        Assert.Equal("online", await StatusAsync(agentId));

        var third = new NodeFixture(nodes.Redis.Url, new Dictionary<string, string>(), nodes.A.DatabaseUrl, nodes.A.Config.JwtSecret);
        try
        {
            await third.InitializeAsync();

            Assert.Equal("online", await StatusAsync(agentId));
            Assert.Equal(0L, await TestSql.CountAsync(
                nodes.A, "SELECT count(*) FROM gateways WHERE id = $1 AND disconnected_at IS NOT NULL", gatewayId));
        }
        finally
        {
            await third.DisposeAsync();
        }

        Assert.Equal("online", await StatusAsync(agentId));
    }

    [Fact]
    public async Task NodeWhoseKeyExpired_ItsAgentsAreFreedAndMarkedOffline()
    {
        var (_, aliceB) = await nodes.CreateUserAsync("alice");
        var agentId = Unique.Id("ag");
        await using (var gateway = await WsPeer.GatewayAsync(aliceB, Unique.Id("gw"), (agentId, "dev")))
        {
            await gateway.PingAsync("gateway:ping");
        }

        await Eventually.AssertAsync(async () => await StatusAsync(agentId) == "offline", "the closed gateway's agent offline");
        // A node that crashed while holding the agent: its directory entry and status stay, its node key expires.
        await TestSql.ExecuteAsync(nodes.A, "UPDATE agents SET status = 'online' WHERE id = $1", agentId);
        await nodes.Redis.CliAsync("SET", "node:crashed-node", "1", "PX", "1500");
        await nodes.Redis.CliAsync("HSET", "agentim:agents", agentId, "crashed-node");

        await Eventually.AssertAsync(
            async () => await StatusAsync(agentId) == "offline", "the stopped node's agent marked offline", TimeSpan.FromSeconds(20));
        Assert.Equal("", (await nodes.Redis.CliAsync("HGET", "agentim:agents", agentId)).Trim());
        Assert.Equal("0", (await nodes.Redis.CliAsync("SISMEMBER", "agentim:nodes", "crashed-node")).Trim());
    }

    private Task<string> StatusAsync(string agentId) =>
        TestSql.ScalarAsync<string>(nodes.A.DatabaseUrl, "SELECT status FROM agents WHERE id = $1", agentId);
}
