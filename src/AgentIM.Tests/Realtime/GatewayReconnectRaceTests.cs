using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// A gateway that reconnects before its old socket's close is processed keeps its agents online: the old socket's
/// "offline" and the new socket's registration take turns per agent, and an agent bound again is never set offline.
/// </summary>
public sealed class GatewayReconnectRaceTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const int Rounds = 12;

    [Fact]
    public async Task QuickReconnect_OldSocketClosesAfterNewRegistered_AgentStaysOnline()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        var agentId = Unique.Id("ag");
        var gatewayId = Unique.Id("gw");
        var current = await WsPeer.GatewayAsync(alice, gatewayId, (agentId, "dev"));
        await alice.AddMemberAsync(room, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(alice, room);

        for (var round = 0; round < Rounds; round++)
        {
            // The new socket registers while the old one is still open, and the old one goes away right after
            // (alternately cut and closed), so its close is processed around the new registration.
            var next = await WsPeer.GatewayAsync(alice, gatewayId, (agentId, "dev"));
            if (round % 2 == 0)
            {
                current.Abort();
            }

            await current.DisposeAsync();
            current = next;
        }

        await current.PingAsync("gateway:ping");
        await Task.Delay(500);
        await Eventually.AssertAsync(
            async () => await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'online'", agentId) == 1,
            "the agent is online after the last reconnect");
        await client.SendMessageAsync(room, "@dev are you there?");
        Assert.Equal(agentId, (await current.WaitForAsync("server:send_to_agent"))["agentId"]!.GetValue<string>());
        await client.PingAsync();
        Assert.Empty(client.All("server:new_message", f => f["message"]!["senderType"]!.GetValue<string>() == "system"));
        await current.DisposeAsync();
    }

    [Fact]
    public async Task Reconnect_AfterOldCloseProcessed_AgentOnlineAgain()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var agentId = Unique.Id("ag");
        var gatewayId = Unique.Id("gw");
        var old = await WsPeer.GatewayAsync(alice, gatewayId, (agentId, "dev"));
        await old.DisposeAsync();
        await Eventually.AssertAsync(
            async () => await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'offline'", agentId) == 1,
            "offline after the close");

        await using var renewed = await WsPeer.GatewayAsync(alice, gatewayId, (agentId, "dev"));

        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'online'", agentId));
    }
}
