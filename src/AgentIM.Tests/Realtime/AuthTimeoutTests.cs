using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>The auth window on both endpoints (websocket.md §2 item 1, §3 item 1), shortened to 300 ms.</summary>
public sealed class AuthTimeoutTests(ShortAuthWindowHubFixture hub) : IClassFixture<ShortAuthWindowHubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ClientSocket_NoAuthWithinWindow_Closed4001()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        Assert.Equal((WebSocketCloseStatus)4001, await socket.WaitForCloseAsync(Deadline));
        Assert.Equal("Authentication timeout", socket.CloseDescription);
    }

    [Fact]
    public async Task ClientSocket_FailedAuthAndPings_StillClosed4001()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");
        await socket.SendAsync(new { type = "client:auth", token = "bad" });
        await socket.PingAsync();

        Assert.Equal((WebSocketCloseStatus)4001, await socket.WaitForCloseAsync(Deadline));
        Assert.False(socket.All("server:auth_result").Single()["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ClientSocket_AuthenticatedInTime_NotClosedAfterWindow()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var socket = await WsPeer.ClientAsync(alice);

        await Task.Delay(TimeSpan.FromMilliseconds(ShortAuthWindowHubFixture.AuthWindowMs * 3));

        await socket.PingAsync();
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task GatewaySocket_NoAuthWithinWindow_Closed4001()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/gateway");
        await socket.PingAsync("gateway:ping");

        Assert.Equal((WebSocketCloseStatus)4001, await socket.WaitForCloseAsync(Deadline));
        Assert.Equal("Authentication timeout", socket.CloseDescription);
    }
}
