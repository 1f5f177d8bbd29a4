using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// /ws/client before and around auth, and bad frames after it (websocket.md §2, §2.1, §12): every mistake gets
/// the contract's answer and, unless the protocol itself is broken, the socket stays usable.
/// </summary>
public sealed class ClientSocketProtocolTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Ping_BeforeAuth_Pong()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:ping", ts = 1234.5 });

        var pong = await socket.WaitForAsync("server:pong");
        Assert.Equal(1234.5, pong["ts"]!.GetValue<double>());
    }

    [Fact]
    public async Task JoinRoom_BeforeAuth_NotAuthenticatedAndSocketStaysUsable()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:join_room", roomId = room });
        await socket.ExpectErrorAsync("NOT_AUTHENTICATED", "Please authenticate first");
        await socket.SendMessageAsync(room, "too early");
        await socket.ExpectErrorAsync("NOT_AUTHENTICATED", "Please authenticate first");

        await socket.PingAsync();
        await socket.SendAsync(new { type = "client:auth", token = alice.AccessToken });
        Assert.True((await socket.WaitForAsync("server:auth_result"))["ok"]!.GetValue<bool>());
        await socket.SendAsync(new { type = "client:join_room", roomId = room });
        await socket.SendMessageAsync(room, "on time");
        var echo = await socket.WaitForAsync("server:new_message");
        Assert.Equal("on time", echo["message"]!["content"]!.GetValue<string>());
        var (_, history) = await alice.GetAsync($"/api/messages/rooms/{room}");
        Assert.Equal(["on time"], history!["data"]!["items"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Auth_BadToken_InvalidTokenAndSocketStaysOpen()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:auth", token = "not-a-jwt" });

        var result = await socket.WaitForAsync("server:auth_result");
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("Invalid token", result["error"]!.GetValue<string>());
        Assert.Null(result["userId"]);
        await socket.PingAsync();
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Auth_TokenSignedWithAnotherSecret_InvalidToken()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var parts = alice.AccessToken.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{new string('A', parts[2].Length)}";
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:auth", token = forged });

        var result = await socket.WaitForAsync("server:auth_result");
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("Invalid token", result["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Auth_WrongProtocolVersion_MismatchErrorThenClosed1008()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:auth", token = alice.AccessToken, protocolVersion = "2" });

        await socket.ExpectErrorAsync(
            "PROTOCOL_VERSION_MISMATCH", "Protocol version mismatch: client=2, server=1. Please update your client.");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("Protocol version mismatch", socket.CloseDescription);
        Assert.Empty(socket.All("server:auth_result", f => f["ok"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Auth_SixthAttempt_TooManyAttemptsThenClosed1008()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            await socket.SendAsync(new { type = "client:auth", token = $"bad-{attempt}" });
        }

        var results = new List<string>();
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            results.Add((await socket.WaitForAsync("server:auth_result"))["error"]!.GetValue<string>());
        }

        Assert.Equal("Invalid token", results[0]);
        Assert.All(results.Skip(1).Take(4), e => Assert.Equal("Too many authentication attempts, please wait", e));
        Assert.Equal("Too many authentication attempts", results[5]);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("Too many authentication attempts", socket.CloseDescription);
    }

    [Fact]
    public async Task Auth_SecondAttemptAfterBackoff_Succeeds()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");
        await socket.SendAsync(new { type = "client:auth", token = "bad" });
        Assert.False((await socket.WaitForAsync("server:auth_result"))["ok"]!.GetValue<bool>());

        // The first retry is allowed 200 ms after the first attempt (websocket.md §2).
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        await socket.SendAsync(new { type = "client:auth", token = alice.AccessToken });

        var result = await socket.WaitForAsync("server:auth_result");
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(alice.UserId, result["userId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"type\":\"client:ping\",")]
    [InlineData("not json at all")]
    [InlineData("{\"type\":\"client:ping\",\"ts\":1}{\"type\":\"client:ping\",\"ts\":2}")]
    public async Task Frame_InvalidJson_InvalidJsonAndSocketStaysUsable(string text)
    {
        await using var socket = await WsPeer.ClientAsync(await TestUsers.SharedAsync(hub));

        await socket.SendTextAsync(text);

        await socket.ExpectErrorAsync("INVALID_JSON", "Invalid JSON");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_InvalidJsonBeforeAuth_InvalidJson()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendTextAsync("{{{");

        await socket.ExpectErrorAsync("INVALID_JSON", "Invalid JSON");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_Binary_HandledLikeText()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendBinaryAsync("{\"type\":\"client:ping\",\"ts\":77}"u8.ToArray());

        Assert.Equal(77, (await socket.WaitForAsync("server:pong"))["ts"]!.GetValue<double>());
    }

    [Fact]
    public async Task Frame_BinaryWithInvalidUtf8_InvalidJsonNotInternalError()
    {
        await using var socket = await WsPeer.ClientAsync(await TestUsers.SharedAsync(hub));

        await socket.SendBinaryAsync([.. "{\"type\":\"client:"u8, 0xC3, 0x28, .. "\"}"u8]);
        await socket.SendBinaryAsync([.. "{\"type\":\"client:ping\",\"ts\":1,\"x\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]);

        await socket.ExpectErrorAsync("INVALID_JSON", "Invalid JSON");
        await socket.ExpectErrorAsync("INVALID_JSON", "Invalid JSON");
        await socket.PingAsync();
    }

    [Theory]
    [InlineData("{\"type\":\"client:dance\",\"roomId\":\"r1\"}")]
    [InlineData("{\"roomId\":\"r1\"}")]
    [InlineData("{\"type\":42}")]
    [InlineData("{\"type\":\"client:join_room\"}")]
    [InlineData("{\"type\":\"client:join_room\",\"roomId\":\"\"}")]
    [InlineData("{\"type\":\"client:send_message\",\"roomId\":\"r1\",\"content\":\"\"}")]
    [InlineData("{\"type\":\"client:send_message\",\"roomId\":\"r1\",\"content\":7}")]
    [InlineData("{\"type\":\"client:ping\",\"ts\":\"soon\"}")]
    public async Task Frame_NotMatchingAnySchema_InvalidMessageAndSocketStaysUsable(string text)
    {
        await using var socket = await WsPeer.ClientAsync(await TestUsers.SharedAsync(hub));

        await socket.SendTextAsync(text);

        await socket.ExpectErrorAsync("INVALID_MESSAGE", "Invalid message format");
        await socket.PingAsync();
    }

    [Fact]
    public async Task SendMessage_RoomUserIsNotIn_NotAMemberThenNextMessageWorks()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var mallory = await TestUsers.CreateAsync(hub, "mallory");
        var aliceRoom = await alice.CreateRoomAsync("private");
        var malloryRoom = await mallory.CreateRoomAsync("own");
        await using var socket = await WsPeer.ClientAsync(mallory, malloryRoom);

        await socket.SendMessageAsync(aliceRoom, "let me in");
        await socket.ExpectErrorAsync("NOT_A_MEMBER", "You are not a member of this room");
        await socket.SendMessageAsync(malloryRoom, "fine, my own room");

        var echo = await socket.WaitForAsync("server:new_message");
        Assert.Equal(malloryRoom, echo["message"]!["roomId"]!.GetValue<string>());
        var (_, history) = await alice.GetAsync($"/api/messages/rooms/{aliceRoom}");
        Assert.Empty(history!["data"]!["items"]!.AsArray());
    }

    [Fact]
    public async Task SendMessage_UnknownRoom_RoomNotFoundThenNextMessageWorks()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendMessageAsync(Unique.Id("room"), "anyone?");
        await socket.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await socket.SendMessageAsync(room, "here");

        var echo = await socket.WaitForAsync("server:new_message");
        Assert.Equal("here", echo["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task JoinRoom_UnknownOrForeignRoom_ErrorsAndNoBroadcastsFromThatRoom()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var mallory = await TestUsers.CreateAsync(hub, "mallory");
        var room = await alice.CreateRoomAsync("private");
        await using var owner = await WsPeer.ClientAsync(alice, room);
        await using var intruder = await WsPeer.ClientAsync(mallory);

        await intruder.SendAsync(new { type = "client:join_room", roomId = Unique.Id("room") });
        await intruder.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await intruder.SendAsync(new { type = "client:join_room", roomId = room });
        await intruder.ExpectErrorAsync("NOT_A_MEMBER", "You are not a member of this room");
        await owner.SendMessageAsync(room, "secret");
        await owner.WaitForAsync("server:new_message");
        await owner.PingAsync();
        await intruder.PingAsync();

        Assert.Empty(intruder.All("server:new_message"));
    }
}
