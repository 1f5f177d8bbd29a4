using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// /ws/gateway auth and agent binding (websocket.md §3, §6, §11): frames before auth close the socket, a gateway id
/// belongs to one user, an agent's frames are honoured only from the socket that registered it, and a vanished
/// gateway takes its agents offline.
/// </summary>
public sealed class GatewaySocketTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Frame_BeforeAuth_Closed1008WithoutErrorFrame()
    {
        await using var gateway = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");
        await gateway.PingAsync("gateway:ping");

        await gateway.SendAsync(new
        {
            type = "gateway:register_agent",
            agent = new { id = Unique.Id("ag"), name = "dev", type = "generic" },
        });

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await gateway.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("Not authenticated", gateway.CloseDescription);
        Assert.Empty(gateway.All("server:error"));
    }

    [Fact]
    public async Task Auth_BadToken_AuthenticationFailedAndSocketStaysOpen()
    {
        await using var gateway = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");

        await gateway.SendAsync(AuthFrame("not-a-jwt", Unique.Id("gw")));

        var result = await gateway.WaitForAsync("server:gateway_auth_result");
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("Authentication failed", result["error"]!.GetValue<string>());
        await gateway.PingAsync("gateway:ping");
    }

    [Fact]
    public async Task Auth_WrongProtocolVersion_MismatchErrorThenClosed1008()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var gateway = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");

        await gateway.SendAsync(AuthFrame(alice.AccessToken, Unique.Id("gw"), protocolVersion: "0"));

        await gateway.ExpectErrorAsync(
            "PROTOCOL_VERSION_MISMATCH", "Protocol version mismatch: gateway=0, server=1. Please update your gateway.");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await gateway.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Auth_GatewayIdOfAnotherUser_RefusedAndOwnerUnaffected()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var mallory = await TestUsers.CreateAsync(hub, "mallory");
        var gatewayId = Unique.Id("gw");
        await using var owned = await WsPeer.GatewayAsync(alice, gatewayId);
        await using var thief = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");

        await thief.SendAsync(AuthFrame(mallory.AccessToken, gatewayId));

        var result = await thief.WaitForAsync("server:gateway_auth_result");
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("Gateway ID belongs to another user", result["error"]!.GetValue<string>());
        await thief.SendAsync(new
        {
            type = "gateway:register_agent", agent = new { id = Unique.Id("ag"), name = "dev", type = "generic" },
        });
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await thief.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        await owned.PingAsync("gateway:ping");
        Assert.Equal(1, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM gateways WHERE id = $1 AND user_id = $2", gatewayId, alice.UserId));
    }

    [Fact]
    public async Task Chunk_AgentNotRegisteredOnThisSocket_DroppedAndSocketStillAnswers()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var otherGateway = await WsPeer.GatewayAsync(stage.Owner, Unique.Id("gw"));
        var replyId = Unique.Id("resp");

        await otherGateway.SendAsync(new
        {
            type = "gateway:message_chunk", roomId = stage.RoomId, agentId, messageId = replyId,
            chunk = new { type = "text", content = "spoof" },
        });
        await otherGateway.SendAsync(new
        {
            type = "gateway:message_complete", roomId = stage.RoomId, agentId, messageId = replyId, fullContent = "spoofed answer",
        });

        await otherGateway.PingAsync("gateway:ping");
        await client.PingAsync();
        Assert.Empty(client.All("server:message_chunk"));
        Assert.Empty(client.All("server:message_complete"));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", replyId));
        await stage.Gateway.PingAsync("gateway:ping");
    }

    [Fact]
    public async Task Chunk_AgentNotMemberOfRoom_Dropped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var otherRoom = await stage.Owner.CreateRoomAsync("no agents");
        await using var client = await WsPeer.ClientAsync(stage.Owner, otherRoom);

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:message_chunk", roomId = otherRoom, agentId = stage.AgentIds["dev"], messageId = Unique.Id("resp"),
            chunk = new { type = "text", content = "wrong room" },
        });

        await stage.Gateway.PingAsync("gateway:ping");
        await client.PingAsync();
        Assert.Empty(client.All("server:message_chunk"));
        Assert.Empty(stage.Gateway.All("server:error"));
    }

    [Fact]
    public async Task SendMessage_MentionedAgentOffline_EphemeralSystemNoticeToRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await stage.Gateway.DisposeAsync();
        await client.WaitForAsync("server:agent_status", f => f["agent"]!["status"]!.GetValue<string>() == "offline");

        await client.SendMessageAsync(stage.RoomId, "@dev are you there?");

        var own = await client.WaitForAsync("server:new_message", f => SenderType(f) == "user");
        var notice = (await client.WaitForAsync("server:new_message", f => SenderType(f) == "system"))["message"]!;
        Assert.Equal("Agent dev is offline", notice["content"]!.GetValue<string>());
        Assert.Equal("system", notice["senderId"]!.GetValue<string>());
        Assert.Equal("System", notice["senderName"]!.GetValue<string>());
        Assert.Equal("system", notice["type"]!.GetValue<string>());
        Assert.Equal(stage.RoomId, notice["roomId"]!.GetValue<string>());
        Assert.NotEqual(own["message"]!["id"]!.GetValue<string>(), notice["id"]!.GetValue<string>());
        var (_, history) = await stage.Owner.GetAsync($"/api/messages/rooms/{stage.RoomId}");
        Assert.Equal(["@dev are you there?"], history!["data"]!["items"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GatewayDisconnect_AgentsInRoom_AgentStatusOfflineToRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        stage.Gateway.Abort();

        foreach (var (name, id) in stage.AgentIds)
        {
            var status = await client.WaitForAsync(
                "server:agent_status",
                f => f["agent"]!["id"]!.GetValue<string>() == id && f["agent"]!["status"]!.GetValue<string>() == "offline");
            Assert.Equal(name, status["agent"]!["name"]!.GetValue<string>());
        }

        Assert.Equal(2, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM agents WHERE id = ANY($1) AND status = 'offline'", (object)stage.AgentIds.Values.ToArray()));
        await Eventually.AssertAsync(
            async () => await TestSql.CountAsync(
                hub, "SELECT count(*) FROM gateways WHERE id = $1 AND disconnected_at IS NOT NULL", stage.GatewayId) == 1,
            "gateway row marked disconnected");
    }

    [Fact]
    public async Task RegisterAgent_InRoom_AgentStatusOnlineToRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:register_agent", agent = new { id = agentId, name = "dev", type = "generic", model = "m-1" },
        });

        var status = await client.WaitForAsync("server:agent_status", f => f["agent"]!["id"]!.GetValue<string>() == agentId);
        Assert.Equal("online", status["agent"]!["status"]!.GetValue<string>());
        Assert.Equal("m-1", status["agent"]!["model"]!.GetValue<string>());
    }

    private static string SenderType(System.Text.Json.Nodes.JsonObject frame) => frame["message"]!["senderType"]!.GetValue<string>();

    private static object AuthFrame(string token, string gatewayId, string protocolVersion = "1") => new
    {
        type = "gateway:auth",
        token,
        gatewayId,
        protocolVersion,
        deviceInfo = new { hostname = "ci-box", platform = "linux", arch = "x64", nodeVersion = "v22.0.0" },
    };
}
