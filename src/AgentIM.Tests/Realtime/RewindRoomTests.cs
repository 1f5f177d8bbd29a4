using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// <c>client:rewind_room</c> (websocket.md §4, behaviour.md §5): a member goes back to one of their own messages;
/// it and everything after it are deleted for everyone, every agent hears <c>server:rewind_agent</c>, the room
/// hears <c>server:room_rewound</c>. Each refusal answers with the contract's code and text.
/// </summary>
public sealed class RewindRoomTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Rewind_OwnUserMessage_DeletesItAndLaterMessagesAndTellsAgentsAndRoom()
    {
        var (alice, room, gateway, agentId) = await StageAsync(["rewind", "chat"]);
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await alice.AddMemberAsync(room, bob.UserId, "user");
        await using var client = await WsPeer.ClientAsync(alice, room);
        await using var watcher = await WsPeer.ClientAsync(bob, room);
        await client.SendMessageAsync(room, "keep me");
        var kept = await IdOfAsync(client, "keep me");
        await Task.Delay(20);
        await client.SendMessageAsync(room, "go back to here");
        var target = await IdOfAsync(client, "go back to here");
        var reply = Unique.Id("resp");
        await gateway.SendAsync(
            new { type = "gateway:message_complete", roomId = room, agentId, messageId = reply, fullContent = "an answer" });
        await client.WaitForAsync("server:message_complete");
        await watcher.SendMessageAsync(room, "bob after");
        var later = await IdOfAsync(client, "bob after");

        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = target });

        var rewound = await watcher.WaitForAsync("server:room_rewound");
        Assert.Equal(room, rewound["roomId"]!.GetValue<string>());
        Assert.Equal(target, rewound["messageId"]!.GetValue<string>());
        Assert.Equal("go back to here", rewound["messageContent"]!.GetValue<string>());
        Assert.Equal([target, reply, later], rewound["removedMessageIds"]!.AsArray().Select(n => n!.GetValue<string>()));
        var told = await gateway.WaitForAsync("server:rewind_agent");
        Assert.Equal(agentId, told["agentId"]!.GetValue<string>());
        Assert.Equal(room, told["roomId"]!.GetValue<string>());
        Assert.Equal(target, told["messageId"]!.GetValue<string>());
        Assert.Equal([kept], (await History.PageAsync(alice, room, 50)).Ids);
        await client.WaitForAsync("server:room_rewound");
        Assert.Empty(client.All("server:error"));
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_SomeoneElsesMessage_PermissionDenied()
    {
        var (alice, room, gateway, _) = await StageAsync(["rewind"]);
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await alice.AddMemberAsync(room, bob.UserId, "user");
        await using var client = await WsPeer.ClientAsync(alice, room);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);
        await bobSocket.SendMessageAsync(room, "bob's words");
        var target = await IdOfAsync(client, "bob's words");

        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = target });

        await client.ExpectErrorAsync("PERMISSION_DENIED", "You can only rewind to your own messages");
        Assert.Single((await History.PageAsync(alice, room, 50)).Ids);
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_AgentMessage_PermissionDeniedUserMessagesOnly()
    {
        var (alice, room, gateway, agentId) = await StageAsync(["rewind"]);
        await using var client = await WsPeer.ClientAsync(alice, room);
        var reply = Unique.Id("resp");
        await gateway.SendAsync(new { type = "gateway:message_complete", roomId = room, agentId, messageId = reply, fullContent = "x" });
        await client.WaitForAsync("server:message_complete");

        // The agent's message is not alice's either; the sender check comes first (websocket.md §4).
        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = reply });

        await client.ExpectErrorAsync("PERMISSION_DENIED", "You can only rewind to your own messages");
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_SystemMessageOfTheUser_PermissionDeniedCanOnlyRewindUserMessages()
    {
        var (alice, room, gateway, _) = await StageAsync(["rewind"]);
        await using var client = await WsPeer.ClientAsync(alice, room);
        var id = History.RandomId();
        await TestSql.ExecuteAsync(
            hub,
            "INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at) " +
            "VALUES ($1, $2, $3, 'system', 'System', 'system', 'notice', now())",
            id, room, alice.UserId);

        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = id });

        await client.ExpectErrorAsync("PERMISSION_DENIED", "Can only rewind to user messages");
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_AgentWithoutRewindCapability_PermissionDeniedNamingIt()
    {
        var (alice, room, gateway, agentId) = await StageAsync(["chat"]);
        await using var client = await WsPeer.ClientAsync(alice, room);
        await client.SendMessageAsync(room, "mine");
        var target = await IdOfAsync(client, "mine");

        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = target });

        await client.ExpectErrorAsync("PERMISSION_DENIED", $"Agent {agentId} does not support rewind");
        Assert.Single((await History.PageAsync(alice, room, 50)).Ids);
        await gateway.PingAsync("gateway:ping");
        Assert.Empty(gateway.All("server:rewind_agent"));
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_MessageOfAnotherRoom_InvalidMessage()
    {
        var (alice, room, gateway, _) = await StageAsync(["rewind"]);
        var otherRoom = await alice.CreateRoomAsync("other");
        await using var client = await WsPeer.ClientAsync(alice, room, otherRoom);
        await client.SendMessageAsync(otherRoom, "elsewhere");
        var target = await IdOfAsync(client, "elsewhere");

        await client.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = target });

        await client.ExpectErrorAsync("INVALID_MESSAGE", "Message not found in this room");
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Rewind_RoomNotJoined_Ignored()
    {
        var (alice, room, gateway, _) = await StageAsync(["rewind"]);
        await using var joined = await WsPeer.ClientAsync(alice, room);
        await joined.SendMessageAsync(room, "stay");
        var target = await IdOfAsync(joined, "stay");
        await using var notJoined = await WsPeer.ClientAsync(alice);

        await notJoined.SendAsync(new { type = "client:rewind_room", roomId = room, messageId = target });
        await notJoined.PingAsync();

        Assert.Empty(notJoined.All("server:error"));
        Assert.Single((await History.PageAsync(alice, room, 50)).Ids);
    }

    [Fact]
    public async Task Rewind_MissingMessageId_InvalidMessageFormat()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var client = await WsPeer.ClientAsync(alice);

        await client.SendAsync(new { type = "client:rewind_room", roomId = "r1" });

        await client.ExpectErrorAsync("INVALID_MESSAGE", "Invalid message format");
    }

    /// <summary>A user with a room and one agent on a gateway, registered with the given capabilities.</summary>
    private async Task<(Session Owner, string Room, WsPeer Gateway, string AgentId)> StageAsync(string[] capabilities)
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync("rewind");
        var agentId = Unique.Id("ag");
        var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));
        await gateway.SendAsync(new
        {
            type = "gateway:register_agent",
            agent = new { id = agentId, name = Unique.Id("dev"), type = "claude-code", capabilities },
        });
        await gateway.PingAsync("gateway:ping");
        await alice.AddMemberAsync(room, agentId, "agent");
        return (alice, room, gateway, agentId);
    }

    private static async Task<string> IdOfAsync(WsPeer peer, string content) =>
        (await peer.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == content))["message"]!["id"]!
            .GetValue<string>();
}
