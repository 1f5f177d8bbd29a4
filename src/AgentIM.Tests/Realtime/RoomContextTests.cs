using AgentIM.Realtime;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// <c>server:room_context</c> (behaviour.md §6.1): an agent that registers learns each of its rooms — name, system
/// prompt, members, last 20 messages oldest first, cut to 500 characters — and the helper other features call after
/// a member change reaches every connected agent of the room.
/// </summary>
public sealed class RoomContextTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task RegisterAgent_MemberOfRoom_GetsRoomContext()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var long600 = new string('x', 600);
        for (var i = 0; i < 21; i++)
        {
            await client.SendMessageAsync(stage.RoomId, i == 20 ? long600 : $"note {i}");
        }

        await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == long600);
        stage.Gateway.Abort();
        await using var gateway = await WsPeer.GatewayAsync(stage.Owner, stage.GatewayId, (agentId, "dev"));
        var frame = await gateway.WaitForAsync("server:room_context");

        Assert.Equal(agentId, frame["agentId"]!.GetValue<string>());
        var context = frame["context"]!;
        Assert.Equal(stage.RoomId, context["roomId"]!.GetValue<string>());
        Assert.Equal("agents", context["roomName"]!.GetValue<string>());
        var members = context["members"]!.AsArray();
        var agent = members.Single(m => m!["id"]!.GetValue<string>() == agentId)!;
        Assert.Equal("agent", agent["type"]!.GetValue<string>());
        Assert.Equal("generic", agent["agentType"]!.GetValue<string>());
        Assert.Equal("dev", agent["name"]!.GetValue<string>());
        var owner = members.Single(m => m!["id"]!.GetValue<string>() == stage.Owner.UserId)!;
        Assert.Equal("user", owner["type"]!.GetValue<string>());
        var recent = context["recentMessages"]!.AsArray();
        Assert.Equal(20, recent.Count);
        Assert.Equal("note 1", recent[0]!["content"]!.GetValue<string>());
        Assert.Equal(new string('x', 500), recent[19]!["content"]!.GetValue<string>());
        Assert.Equal("user", recent[0]!["senderType"]!.GetValue<string>());
    }

    [Fact]
    public async Task RoomChanged_AfterMemberAdded_EveryConnectedAgentGetsNewContext()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");

        await hub.Services.GetRequiredService<RoomContexts>().RoomChangedAsync(stage.RoomId, CancellationToken.None);

        foreach (var agentId in stage.AgentIds.Values)
        {
            var frame = await stage.Gateway.WaitForAsync(
                "server:room_context",
                f => f["agentId"]!.GetValue<string>() == agentId
                    && f["context"]!["members"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == bob.UserId));
            Assert.Equal(stage.RoomId, frame["context"]!["roomId"]!.GetValue<string>());
        }
    }
}
