using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Logout revokes one session (decisions.md, case B08 steps 1–3): that session's client socket is told
/// SESSION_REVOKED and closed with 1008; another session of the same user keeps its socket and gateway.
/// </summary>
public sealed class SessionRevocationSocketTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task B08_Logout_SessionWithOpenSocket_SocketRevokedAndClosedOtherSessionKeepsWorking()
    {
        var first = await TestUsers.CreateAsync(hub, "alice");
        var second = await hub.LoginAsync(first.Username, HubFixture.UserPassword);
        var third = await hub.LoginAsync(first.Username, HubFixture.UserPassword);
        var room = await first.CreateRoomAsync();
        await using var revoked = await WsPeer.ClientAsync(first, room);
        await using var kept = await WsPeer.ClientAsync(second, room);
        await using var gateway = await WsPeer.GatewayAsync(third, Unique.Id("gw"));

        var (status, body) = await first.PostAsync("/api/auth/logout", new { refreshToken = first.RefreshToken });
        Assert.True(status == 200, $"logout: {status} {body}");

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await revoked.WaitForCloseAsync(Deadline));
        Assert.Equal("Session revoked", revoked.CloseDescription);
        var notice = Assert.Single(revoked.All("server:error"));
        Assert.Equal("SESSION_REVOKED", notice["code"]!.GetValue<string>());
        Assert.Equal("Session revoked", notice["message"]!.GetValue<string>());
        await kept.PingAsync();
        await gateway.PingAsync("gateway:ping");
        await kept.SendMessageAsync(room, "still here");
        Assert.Equal("still here", (await kept.WaitForAsync("server:new_message"))["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Auth_WithLoggedOutSessionToken_RefusedOnNewSocket()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var (status, _) = await alice.PostAsync("/api/auth/logout", new { refreshToken = alice.RefreshToken });
        Assert.Equal(200, status);
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendAsync(new { type = "client:auth", token = alice.AccessToken });

        var result = await socket.WaitForAsync("server:auth_result");
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("Token revoked", result["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task B08_Logout_SessionWithGateway_GatewayClosed1008()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var other = await hub.LoginAsync(alice.Username, HubFixture.UserPassword);
        await using var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));
        await using var otherGateway = await WsPeer.GatewayAsync(other, Unique.Id("gw"));

        var (status, _) = await alice.PostAsync("/api/auth/logout", new { refreshToken = alice.RefreshToken });
        Assert.Equal(200, status);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await gateway.WaitForCloseAsync(Deadline));
        await otherGateway.PingAsync("gateway:ping");
    }
}
