using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// The per-user fixed window on client frames (websocket.md §2.1 step 7), lowered to four frames per minute:
/// the frame over the limit is answered RATE_LIMITED and dropped; pings are never limited.
/// </summary>
public sealed class ClientRateLimitTests(LowRateLimitHubFixture hub) : IClassFixture<LowRateLimitHubFixture>
{
    [Fact]
    public async Task SendMessage_OverLimit_RateLimitedAndDropped()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        // The join above took one frame of the window; three messages fill it.
        for (var i = 1; i <= LowRateLimitHubFixture.MaxFrames; i++)
        {
            await socket.SendMessageAsync(room, $"message {i}");
        }

        await socket.ExpectErrorAsync("RATE_LIMITED", "Too many messages, please slow down");
        await socket.PingAsync();
        await socket.PingAsync();
        Assert.Equal(
            ["message 1", "message 2", "message 3"],
            socket.All("server:new_message").Select(f => f["message"]!["content"]!.GetValue<string>()));
        var (_, history) = await alice.GetAsync($"/api/messages/rooms/{room}");
        Assert.Equal(3, history!["data"]!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task SendMessage_OverLimit_SharedBySocketsOfTheUserButNotOtherUsers()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await alice.CreateRoomAsync("pair", bob.UserId);
        await using var aliceTab1 = await WsPeer.ClientAsync(alice);
        await using var aliceTab2 = await WsPeer.ClientAsync(alice);
        await using var bobSocket = await WsPeer.ClientAsync(bob, room);

        for (var i = 0; i < LowRateLimitHubFixture.MaxFrames; i++)
        {
            await aliceTab1.SendMessageAsync(room, $"tab1 {i}");
        }

        await aliceTab1.PingAsync();
        await aliceTab2.SendMessageAsync(room, "tab2");
        await aliceTab2.ExpectErrorAsync("RATE_LIMITED");
        await bobSocket.SendMessageAsync(room, "bob is fine");
        var fromBob = await bobSocket.WaitForAsync("server:new_message", f => f["message"]!["senderId"]!.GetValue<string>() == bob.UserId);
        Assert.Equal("bob is fine", fromBob["message"]!["content"]!.GetValue<string>());
        Assert.Empty(aliceTab1.All("server:error"));
    }
}
