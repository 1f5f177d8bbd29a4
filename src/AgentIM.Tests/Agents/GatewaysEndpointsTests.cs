using AgentIM.Tests.Support;
using static AgentIM.Tests.Agents.AgentsEndpointsTests;

namespace AgentIM.Tests.Agents;

/// <summary>/api/agents/spawn and the gateway routes (rest-api.md §7 #56–58).</summary>
public sealed class GatewaysEndpointsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Spawn_OwnersConnectedGateway_ReceivesSpawnAgentWithFreshRequestId()
    {
        var alice = await hub.CreateUserAsync("alice");
        var gatewayId = NewId("gw");
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId);

        var (status, body) = await alice.PostAsync(
            "/api/agents/spawn", new { gatewayId, agentType = "claude-code", name = "helper", workingDirectory = "/srv/app" });
        var (againStatus, _) = await alice.PostAsync(
            "/api/agents/spawn", new { gatewayId, agentType = "codex", name = "second", credentialId = "cred-1" });

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(200, againStatus);
        var first = await gateway.WaitForAsync("server:spawn_agent");
        Assert.Equal("claude-code", Str(first, "agentType"));
        Assert.Equal("helper", Str(first, "name"));
        Assert.Equal("/srv/app", Str(first, "workingDirectory"));
        Assert.False(first.ContainsKey("credentialId"));
        var second = await gateway.WaitForAsync("server:spawn_agent");
        Assert.Equal("cred-1", Str(second, "credentialId"));
        Assert.False(second.ContainsKey("workingDirectory"));
        Assert.Equal(21, Str(first, "requestId").Length);
        Assert.NotEqual(Str(first, "requestId"), Str(second, "requestId"));
    }

    [Theory]
    [InlineData("missing", "Missing required fields: gatewayId, agentType, name")]
    [InlineData("type", "Invalid agent type: robot")]
    [InlineData("blank", "Name must be 1-100 non-empty characters")]
    [InlineData("long", "Name must be 1-100 non-empty characters")]
    [InlineData("credential", "credentialId must be 1-50 characters")]
    public async Task Spawn_BadRequest_Returns400WithContractText(string kind, string error)
    {
        var alice = await hub.CreateUserAsync("alice");
        var gatewayId = NewId("gw");
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId);
        object request = kind switch
        {
            "missing" => new { gatewayId, agentType = "generic" },
            "type" => new { gatewayId, agentType = "robot", name = "x" },
            "blank" => new { gatewayId, agentType = "generic", name = "  " },
            "long" => new { gatewayId, agentType = "generic", name = new string('x', 101) },
            _ => new { gatewayId, agentType = "generic", name = "x", credentialId = new string('c', 51) },
        };

        var (status, body) = await alice.PostAsync("/api/agents/spawn", request);

        Assert.Equal(400, status);
        Assert.Equal(error, Str(body, "error"));
        await gateway.PingAsync("gateway:ping");
        Assert.Empty(gateway.All("server:spawn_agent"));
    }

    [Fact]
    public async Task Spawn_OthersOrUnknownGateway_NotFound_OfflineGateway_ServiceUnavailable()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var admin = await hub.LoginAdminAsync();
        var online = NewId("gw");
        var offline = NewId("gw");
        await using var gateway = await WsPeer.GatewayAsync(alice, online);
        await using (await WsPeer.GatewayAsync(alice, offline))
        {
        }

        foreach (var stranger in new[] { bob, admin })
        {
            var (status, body) = await stranger.PostAsync(
                "/api/agents/spawn", new { gatewayId = online, agentType = "generic", name = "x" });
            Assert.Equal(404, status);
            Assert.Equal("Gateway not found", Str(body, "error"));
        }

        var unknown = new { gatewayId = NewId("gw"), agentType = "generic", name = "x" };
        Assert.Equal(404, (await alice.PostAsync("/api/agents/spawn", unknown)).Status);
        await WaitForGatewayAsync(alice, offline, connected: false);
        var (offlineStatus, offlineBody) = await alice.PostAsync(
            "/api/agents/spawn", new { gatewayId = offline, agentType = "generic", name = "x" });
        Assert.Equal(503, offlineStatus);
        Assert.Equal("Gateway is offline", Str(offlineBody, "error"));
        await gateway.PingAsync("gateway:ping");
        Assert.Empty(gateway.All("server:spawn_agent"));
    }

    [Fact]
    public async Task ListGateways_CallersLongRunningGateways_WithLiveConnectionState()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var (online, gone, crashed, ephemeral) = (NewId("gw"), NewId("gw"), NewId("gw"), NewId("gw"));
        await using var gateway = await WsPeer.GatewayAsync(alice, online);
        await using var bobGateway = await WsPeer.GatewayAsync(bob, NewId("gw"));
        await using (await WsPeer.GatewayAsync(alice, gone))
        {
        }

        await using (await WsPeer.GatewayAsync(alice, crashed))
        {
        }

        await using var wrapper = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");
        await wrapper.SendAsync(new
        {
            type = "gateway:auth", token = alice.AccessToken, gatewayId = ephemeral, ephemeral = true,
            deviceInfo = new { hostname = "h", platform = "p", arch = "a", nodeVersion = "n" },
        });
        Assert.True((await wrapper.WaitForAsync("server:gateway_auth_result"))["ok"]!.GetValue<bool>());
        await WaitForGatewayAsync(alice, gone, connected: false);
        // A node that died with the gateway connected leaves the row saying "online" with no socket anywhere. Wait for
        // the hub's own disconnect bookkeeping to finish first, so it cannot overwrite the stale row afterwards.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await TestSql.ExecuteAsync(
            hub, "UPDATE gateways SET disconnected_at = NULL WHERE id = $1 AND disconnected_at IS NOT NULL", crashed) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the hub never marked the gateway disconnected");
            await Task.Delay(50);
        }

        var (status, body) = await alice.GetAsync("/api/agents/gateways/list");

        Assert.Equal(200, status);
        var gateways = body!["data"]!.AsArray();
        Assert.Equal(new[] { online, gone, crashed }.Order(), gateways.Select(g => Str(g, "id")).Order());
        var live = gateways.Single(g => Str(g, "id") == online)!.AsObject();
        Assert.Equal(alice.UserId, Str(live, "userId"));
        Assert.Equal("ci-box", Str(live, "name"));
        Assert.Equal("ci-box", Str(live, "hostname"));
        Assert.Equal("linux", Str(live, "platform"));
        Assert.Equal("x64", Str(live, "arch"));
        Assert.Equal("v22.0.0", Str(live, "nodeVersion"));
        Assert.False(live["ephemeral"]!.GetValue<bool>());
        Assert.True(WireRules.IsWireTimestamp(Str(live, "connectedAt")));
        Assert.True(WireRules.IsWireTimestamp(Str(live, "createdAt")));
        Assert.True(live.ContainsKey("disconnectedAt"));
        Assert.Null(live["disconnectedAt"]);
        Assert.True(WireRules.IsWireTimestamp(Str(gateways.Single(g => Str(g, "id") == gone), "disconnectedAt")));
        var stale = gateways.Single(g => Str(g, "id") == crashed)!;
        Assert.Equal(Str(stale, "connectedAt"), Str(stale, "disconnectedAt"));
    }

    [Fact]
    public async Task DeleteGateway_Owner_RemovesItsAgentsAndTellsTheGateway()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("gateway-delete");
        var gatewayId = NewId("gw");
        var (first, second) = (NewId("ag"), NewId("ag"));
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId, (first, "one"), (second, "two"));
        await alice.AddMemberAsync(room, first, "agent");
        await using var client = await WsPeer.ClientAsync(alice, room);

        var (status, body) = await alice.DeleteAsync($"/api/agents/gateways/{gatewayId}");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var removed = new[]
        {
            Str(await gateway.WaitForAsync("server:remove_agent"), "agentId"),
            Str(await gateway.WaitForAsync("server:remove_agent"), "agentId"),
        };
        Assert.Equal(new[] { first, second }.Order(), removed.Order());
        var update = await client.WaitForAsync("server:room_update");
        Assert.DoesNotContain(update["members"]!.AsArray(), m => Str(m, "memberId") == first);
        Assert.Empty((await alice.GetAsync("/api/agents")).Body!["data"]!.AsArray());
        Assert.DoesNotContain((await alice.GetAsync("/api/agents/gateways/list")).Body!["data"]!.AsArray(), g => Str(g, "id") == gatewayId);
        Assert.Equal(404, (await alice.DeleteAsync($"/api/agents/gateways/{gatewayId}")).Status);
    }

    [Fact]
    public async Task DeleteGateway_OtherUserOrAdmin_NotFound_GatewayStays()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var admin = await hub.LoginAdminAsync();
        var gatewayId = NewId("gw");
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId, (agentId, "dev"));

        foreach (var stranger in new[] { bob, admin })
        {
            var (status, body) = await stranger.DeleteAsync($"/api/agents/gateways/{gatewayId}");
            Assert.Equal(404, status);
            Assert.Equal("Gateway not found", Str(body, "error"));
        }

        Assert.Contains((await alice.GetAsync("/api/agents/gateways/list")).Body!["data"]!.AsArray(), g => Str(g, "id") == gatewayId);
        Assert.Equal(200, (await alice.GetAsync($"/api/agents/{agentId}")).Status);
        await gateway.PingAsync("gateway:ping");
        Assert.Empty(gateway.All("server:remove_agent"));
    }

    private static async Task WaitForGatewayAsync(Session owner, string gatewayId, bool connected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var gateway = (await owner.GetAsync("/api/agents/gateways/list")).Body!["data"]!.AsArray()
                .SingleOrDefault(g => Str(g, "id") == gatewayId);
            if (gateway is not null && (gateway["disconnectedAt"] is null) == connected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"gateway {gatewayId} did not become {(connected ? "connected" : "disconnected")}");
    }
}
