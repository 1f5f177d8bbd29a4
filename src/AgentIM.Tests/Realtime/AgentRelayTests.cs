using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// The remaining agent frames (websocket.md §4–§7): slash commands and their results, agent info (only for agents
/// that share a room with the caller, behaviour.md §15.4), terminal data, task updates (result kept in
/// <c>result</c>, §15.15), and the workspace request/answer pair.
/// </summary>
public sealed class AgentRelayTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task AgentCommand_Online_RelayedAndResultBroadcastToRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await client.SendAsync(new { type = "client:agent_command", agentId, roomId = stage.RoomId, command = "model" });
        var command = await stage.Gateway.WaitForAsync("server:agent_command");

        Assert.Equal("model", command["command"]!.GetValue<string>());
        Assert.Equal("", command["args"]!.GetValue<string>());
        Assert.Equal(stage.Owner.UserId, command["userId"]!.GetValue<string>());
        Assert.Equal(stage.RoomId, command["roomId"]!.GetValue<string>());

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:agent_command_result", agentId, roomId = stage.RoomId, command = "model", success = true, message = "ok",
        });
        var result = await client.WaitForAsync("server:agent_command_result");
        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal("ok", result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentCommand_AgentOffline_FailureToSocket()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];
        await stage.Gateway.SendAsync(new { type = "gateway:unregister_agent", agentId });
        await stage.Gateway.PingAsync("gateway:ping");

        await client.SendAsync(new { type = "client:agent_command", agentId, roomId = stage.RoomId, command = "clear", args = "now" });
        var result = await client.WaitForAsync("server:agent_command_result");

        Assert.False(result["success"]!.GetValue<bool>());
        Assert.Equal("Agent is offline", result["message"]!.GetValue<string>());
        Assert.Equal("clear", result["command"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentCommand_AgentNotInRoom_NotAMember()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var otherRoom = await stage.Owner.CreateRoomAsync("empty");
        await using var client = await WsPeer.ClientAsync(stage.Owner, otherRoom);

        await client.SendAsync(new { type = "client:agent_command", agentId = stage.AgentIds["dev"], roomId = otherRoom, command = "x" });

        await client.ExpectErrorAsync("NOT_A_MEMBER", "Agent is not a member of this room");
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Empty(stage.Gateway.All("server:agent_command"));
    }

    [Fact]
    public async Task QueryAgentInfo_SharedRoom_RelayedAndLiveInfoToRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await client.SendAsync(new { type = "client:query_agent_info", agentId, roomId = stage.RoomId });
        var query = await stage.Gateway.WaitForAsync("server:query_agent_info");
        Assert.Equal(agentId, query["agentId"]!.GetValue<string>());

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:agent_info", agentId, roomId = stage.RoomId, slashCommands = Array.Empty<object>(),
            mcpServers = new[] { "fs" }, model = "m-1", sessionCostUSD = 0.25, planMode = true,
        });
        var info = (await client.WaitForAsync("server:agent_info"))["agent"]!;
        Assert.Equal(agentId, info["id"]!.GetValue<string>());
        Assert.Equal("m-1", info["model"]!.GetValue<string>());
        Assert.Equal(0.25, info["sessionCostUSD"]!.GetValue<double>());
        Assert.Equal("fs", info["mcpServers"]![0]!.GetValue<string>());
        Assert.True(info["planMode"]!.GetValue<bool>());
    }

    [Fact]
    public async Task QueryAgentInfo_AgentInNoRoomOfCaller_NothingLeaks()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var eve = await TestUsers.CreateAsync(hub, "eve");
        await using var eveSocket = await WsPeer.ClientAsync(eve);
        var agentId = stage.AgentIds["dev"];

        await eveSocket.SendAsync(new { type = "client:query_agent_info", agentId });
        await stage.Gateway.SendAsync(new { type = "gateway:unregister_agent", agentId });
        await stage.Gateway.PingAsync("gateway:ping");
        await eveSocket.SendAsync(new { type = "client:query_agent_info", agentId });
        await eveSocket.PingAsync();
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(stage.Gateway.All("server:query_agent_info"));
        Assert.Empty(eveSocket.All("server:agent_info"));
    }

    [Fact]
    public async Task QueryAgentInfo_AgentOffline_RowToSocket()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner);
        var agentId = stage.AgentIds["dev"];
        await stage.Gateway.SendAsync(new { type = "gateway:unregister_agent", agentId });
        await stage.Gateway.PingAsync("gateway:ping");

        await client.SendAsync(new { type = "client:query_agent_info", agentId });
        var info = (await client.WaitForAsync("server:agent_info"))["agent"]!;

        Assert.Equal("dev", info["name"]!.GetValue<string>());
        Assert.Equal("offline", info["status"]!.GetValue<string>());
        Assert.Equal(stage.GatewayId, info["gatewayId"]!.GetValue<string>());
    }

    [Fact]
    public async Task TerminalData_BoundAgent_ToEachRoomOfAgent()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await stage.Gateway.SendAsync(new { type = "gateway:terminal_data", agentId = stage.AgentIds["dev"], data = "$ ls\r\n" });
        var data = await client.WaitForAsync("server:terminal_data");

        Assert.Equal("$ ls\r\n", data["data"]!.GetValue<string>());
        Assert.Equal("dev", data["agentName"]!.GetValue<string>());
        Assert.Equal(stage.RoomId, data["roomId"]!.GetValue<string>());
    }

    [Fact]
    public async Task TaskUpdate_AgentInRoom_StatusSetResultKeptApartFromDescription()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var (status, body) = await stage.Owner.PostAsync(
            $"/api/tasks/rooms/{stage.RoomId}", new { title = "Ship it", description = "the plan" });
        Assert.True(status is 200 or 201, $"create task: {status} {body}");
        var taskId = body!["data"]!["id"]!.GetValue<string>();

        await stage.Gateway.SendAsync(new { type = "gateway:task_update", taskId, status = "completed", result = "all done" });
        var task = (await client.WaitForAsync("server:task_update", f => f["task"]!["status"]!.GetValue<string>() != "pending"))["task"]!;

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal("all done", task["result"]!.GetValue<string>());
        Assert.Equal("the plan", task["description"]!.GetValue<string>());
        var (_, list) = await stage.Owner.GetAsync($"/api/tasks/rooms/{stage.RoomId}");
        var stored = list!["data"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == taskId)!;
        Assert.Equal("completed", stored["status"]!.GetValue<string>());
        Assert.Equal("the plan", stored["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task TaskUpdate_GatewayWithoutAgentInRoom_Dropped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var stranger = await WsPeer.GatewayAsync(stage.Owner, Unique.Id("gw"), (Unique.Id("ag"), "loner"));
        var (_, body) = await stage.Owner.PostAsync($"/api/tasks/rooms/{stage.RoomId}", new { title = "Keep", description = "d" });
        var taskId = body!["data"]!["id"]!.GetValue<string>();

        await stranger.SendAsync(new { type = "gateway:task_update", taskId, status = "failed" });
        await stranger.PingAsync("gateway:ping");
        await client.PingAsync();

        Assert.Empty(client.All("server:task_update", f => f["task"]!["status"]!.GetValue<string>() == "failed"));
        var (_, list) = await stage.Owner.GetAsync($"/api/tasks/rooms/{stage.RoomId}");
        Assert.Equal(
            "pending", list!["data"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == taskId)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task RequestWorkspace_Answer_OnlyToRequesterJoinedSocketsOnce()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");
        await using var requester = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var ownerElsewhere = await WsPeer.ClientAsync(stage.Owner);
        await using var bobSocket = await WsPeer.ClientAsync(bob, stage.RoomId);
        var agentId = stage.AgentIds["dev"];

        await requester.SendAsync(
            new { type = "client:request_workspace", roomId = stage.RoomId, agentId, request = new { kind = "tree", path = "src" } });
        var request = await stage.Gateway.WaitForAsync("server:request_workspace");
        var requestId = request["requestId"]!.GetValue<string>();
        Assert.Equal("tree", request["request"]!["kind"]!.GetValue<string>());
        Assert.Equal("src", request["request"]!["path"]!.GetValue<string>());

        var answer = new { type = "gateway:workspace_response", agentId, requestId, response = new { kind = "error", message = "nope" } };
        await stage.Gateway.SendAsync(answer);
        await stage.Gateway.SendAsync(answer);
        var response = await requester.WaitForAsync("server:workspace_response");
        Assert.Equal("nope", response["response"]!["message"]!.GetValue<string>());

        await stage.Gateway.PingAsync("gateway:ping");
        await requester.PingAsync();
        await bobSocket.PingAsync();
        await ownerElsewhere.PingAsync();
        Assert.Single(requester.All("server:workspace_response"));
        Assert.Empty(bobSocket.All("server:workspace_response"));
        Assert.Empty(ownerElsewhere.All("server:workspace_response"));
    }

    [Fact]
    public async Task RequestWorkspace_AgentOffline_ErrorResponseToSocket()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];
        await stage.Gateway.SendAsync(new { type = "gateway:unregister_agent", agentId });
        await stage.Gateway.PingAsync("gateway:ping");

        await client.SendAsync(
            new { type = "client:request_workspace", roomId = stage.RoomId, agentId, request = new { kind = "status" } });
        var response = await client.WaitForAsync("server:workspace_response");

        Assert.Equal("error", response["response"]!["kind"]!.GetValue<string>());
        Assert.Equal("Agent is offline", response["response"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task RequestWorkspace_FileWithoutPath_InvalidMessage()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendAsync(new
        {
            type = "client:request_workspace", roomId = stage.RoomId, agentId = stage.AgentIds["dev"], request = new { kind = "file" },
        });

        await client.ExpectErrorAsync("INVALID_MESSAGE");
    }
}

/// <summary>A workspace answer that comes after the (shortened) request lifetime reaches nobody.</summary>
public sealed class WorkspaceTimeoutTests(ShortTimersHubFixture hub) : IClassFixture<ShortTimersHubFixture>
{
    [Fact]
    public async Task WorkspaceResponse_AfterTimeout_Dropped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];
        await client.SendAsync(
            new { type = "client:request_workspace", roomId = stage.RoomId, agentId, request = new { kind = "status" } });
        var requestId = (await stage.Gateway.WaitForAsync("server:request_workspace"))["requestId"]!.GetValue<string>();

        await Task.Delay(ShortTimersHubFixture.WorkspaceTimeoutMs + 700);
        await stage.Gateway.SendAsync(
            new { type = "gateway:workspace_response", agentId, requestId, response = new { kind = "status", data = new { } } });
        await stage.Gateway.PingAsync("gateway:ping");
        await client.PingAsync();

        Assert.Empty(client.All("server:workspace_response"));
    }
}
