using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>Behaviour of the types no other test names: stop_generation, agents_changed, agent_status, rewind_result.</summary>
public sealed class RemainingMessageTypeTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task StopGeneration_JoinedRoomAgentMember_GatewayGetsStopAgent()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await client.SendAsync(new { type = "client:stop_generation", roomId = stage.RoomId, agentId });

        var stop = await stage.Gateway.WaitForAsync("server:stop_agent");
        Assert.Equal(agentId, stop["agentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task StopGeneration_RoomNotJoined_Ignored()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner);

        await client.SendAsync(new { type = "client:stop_generation", roomId = stage.RoomId, agentId = stage.AgentIds["dev"] });
        await client.PingAsync();
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(stage.Gateway.All("server:stop_agent"));
        Assert.Empty(client.All("server:error"));
    }

    [Fact]
    public async Task GatewayAuthAndRegister_OwnerSocketsHearAgentsChanged()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var client = await WsPeer.ClientAsync(alice);

        await using var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"), (Unique.Id("ag"), "dev"));

        await client.WaitForAsync("server:agents_changed");
        await client.WaitForAsync("server:agents_changed");
    }

    [Fact]
    public async Task AgentStatus_Busy_BroadcastToTheAgentsRooms()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await stage.Gateway.SendAsync(new { type = "gateway:agent_status", agentId, status = "busy", queueDepth = 2 });

        var status = await client.WaitForAsync("server:agent_status", f => f["agent"]!["status"]!.GetValue<string>() == "busy");
        Assert.Equal(agentId, status["agent"]!["id"]!.GetValue<string>());
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'busy'", agentId));
    }

    [Fact]
    public async Task AgentStatus_UnknownStatusOrForeignAgent_Dropped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await stage.Gateway.SendAsync(new { type = "gateway:agent_status", agentId = stage.AgentIds["dev"], status = "sleeping" });
        await stage.Gateway.SendAsync(new { type = "gateway:agent_status", agentId = "someone-else", status = "busy" });
        await stage.Gateway.PingAsync("gateway:ping");
        await client.PingAsync();

        Assert.Empty(client.All("server:agent_status", f => f["agent"]!["status"]!.GetValue<string>() is "busy" or "sleeping"));
    }

    [Fact]
    public async Task RewindResult_LoggedOnlyNothingRelayedAndSocketUsable()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:rewind_result", agentId = stage.AgentIds["dev"], roomId = stage.RoomId, success = false, error = "no session",
        });
        await stage.Gateway.PingAsync("gateway:ping");
        await client.PingAsync();

        Assert.Empty(stage.Gateway.All("server:error"));
        Assert.DoesNotContain(client.Received, f => f["type"]!.GetValue<string>().Contains("rewind", StringComparison.Ordinal));
        Assert.Empty(client.All("server:error"));
    }
}
