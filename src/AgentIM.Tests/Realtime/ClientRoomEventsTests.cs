using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Who receives what on /ws/client (websocket.md §2 item 4, §5; behaviour.md §4): room broadcasts reach joined
/// sockets only, typing skips the sender's socket, presence reaches every authenticated socket.
/// </summary>
public sealed class ClientRoomEventsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task SendMessage_JoinedSockets_SenderGetsEchoAndOtherMemberGetsNewMessage()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceSocket = await WsPeer.ClientAsync(alice, room);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);

        await aliceSocket.SendMessageAsync(room, "hello bob");

        var echo = (await aliceSocket.WaitForAsync("server:new_message"))["message"]!;
        var received = (await bobSocket.WaitForAsync("server:new_message"))["message"]!;
        Assert.Equal(echo.ToJsonString(), received.ToJsonString());
        Assert.Equal("hello bob", received["content"]!.GetValue<string>());
        Assert.Equal(room, received["roomId"]!.GetValue<string>());
        Assert.Equal(alice.UserId, received["senderId"]!.GetValue<string>());
        Assert.Equal(alice.Username, received["senderName"]!.GetValue<string>());
        Assert.Equal("user", received["senderType"]!.GetValue<string>());
        Assert.Equal("text", received["type"]!.GetValue<string>());
        Assert.Empty(received["mentions"]!.AsArray());
    }

    [Fact]
    public async Task SendMessage_MemberSocketNotJoined_ReceivesNothingUntilJoined()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceSocket = await WsPeer.ClientAsync(alice, room);
        await using var bobSocket = await WsPeer.ClientAsync(bob);

        await aliceSocket.SendMessageAsync(room, "first");
        await aliceSocket.WaitForAsync("server:new_message");
        await bobSocket.PingAsync();
        Assert.Empty(bobSocket.All("server:new_message"));

        await bobSocket.SendAsync(new { type = "client:join_room", roomId = room });
        await bobSocket.PingAsync();
        await aliceSocket.SendMessageAsync(room, "second");
        var received = await bobSocket.WaitForAsync("server:new_message");
        Assert.Equal("second", received["message"]!["content"]!.GetValue<string>());

        await bobSocket.SendAsync(new { type = "client:leave_room", roomId = room });
        await bobSocket.PingAsync();
        await aliceSocket.SendMessageAsync(room, "third");
        await aliceSocket.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "third");
        await aliceSocket.PingAsync();
        await bobSocket.PingAsync();
        Assert.Equal(["second"], bobSocket.All("server:new_message").Select(f => f["message"]!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SendMessage_SenderNotJoined_StoredAndDeliveredButNoEcho()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceSocket = await WsPeer.ClientAsync(alice);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);

        await aliceSocket.SendMessageAsync(room, "from afar");

        var received = await bobSocket.WaitForAsync("server:new_message");
        Assert.Equal("from afar", received["message"]!["content"]!.GetValue<string>());
        await aliceSocket.PingAsync();
        Assert.Empty(aliceSocket.All("server:new_message"));
    }

    [Fact]
    public async Task Typing_JoinedSockets_OthersGetItSenderSocketDoesNot()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceTab1 = await WsPeer.ClientAsync(alice, room);
        await using var aliceTab2 = await WsPeer.ClientAsync(alice, room);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);
        await using var bobUnjoined = await WsPeer.ClientAsync(bob);

        await aliceTab1.SendAsync(new { type = "client:typing", roomId = room });

        var typing = await bobSocket.WaitForAsync("server:typing");
        Assert.Equal(room, typing["roomId"]!.GetValue<string>());
        Assert.Equal(alice.UserId, typing["userId"]!.GetValue<string>());
        Assert.Equal(alice.Username, typing["username"]!.GetValue<string>());
        await aliceTab2.WaitForAsync("server:typing");
        await aliceTab1.PingAsync();
        await bobUnjoined.PingAsync();
        Assert.Empty(aliceTab1.All("server:typing"));
        Assert.Empty(bobUnjoined.All("server:typing"));
    }

    [Fact]
    public async Task Typing_RepeatedWithinASecond_SentOnce()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceSocket = await WsPeer.ClientAsync(alice, room);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);

        for (var i = 0; i < 3; i++)
        {
            await aliceSocket.SendAsync(new { type = "client:typing", roomId = room });
        }

        await aliceSocket.PingAsync();
        await bobSocket.PingAsync();
        Assert.Single(bobSocket.All("server:typing"));
    }

    [Fact]
    public async Task Typing_RoomNotJoined_Ignored()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceSocket = await WsPeer.ClientAsync(alice);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);

        await aliceSocket.SendAsync(new { type = "client:typing", roomId = room });

        await aliceSocket.PingAsync();
        await bobSocket.PingAsync();
        Assert.Empty(bobSocket.All("server:typing"));
        Assert.Empty(aliceSocket.All("server:error"));
    }

    [Fact]
    public async Task Auth_FirstSocketOfUser_PresenceOnlineToOthersOnce()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await using var bobSocket = await WsPeer.ClientAsync(bob);

        await using var aliceTab1 = await WsPeer.ClientAsync(alice);
        var presence = await bobSocket.WaitForAsync("server:presence", f => f["userId"]!.GetValue<string>() == alice.UserId);
        Assert.True(presence["online"]!.GetValue<bool>());
        Assert.Equal(alice.Username, presence["username"]!.GetValue<string>());

        await using var aliceTab2 = await WsPeer.ClientAsync(alice);
        await aliceTab2.PingAsync();
        await bobSocket.PingAsync();
        Assert.Single(bobSocket.All("server:presence", f => f["userId"]!.GetValue<string>() == alice.UserId));
    }

    [Fact]
    public async Task Close_LastSocketOfUser_PresenceOfflineToOthers()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await using var bobSocket = await WsPeer.ClientAsync(bob);
        var aliceSocket = await WsPeer.ClientAsync(alice);
        await bobSocket.WaitForAsync("server:presence", f => f["userId"]!.GetValue<string>() == alice.UserId);

        await aliceSocket.DisposeAsync();

        // The offline notice waits 2 s for a reconnect (behaviour.md §4); allow a generous margin.
        var offline = await bobSocket.WaitForAsync(
            "server:presence", f => f["userId"]!.GetValue<string>() == alice.UserId && !f["online"]!.GetValue<bool>(),
            TimeSpan.FromSeconds(10));
        Assert.Equal(alice.Username, offline["username"]!.GetValue<string>());
    }
}
