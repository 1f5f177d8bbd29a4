using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>
/// <c>PUT /api/users/me/password</c> ends every session of the user (decisions.md): case B08 in full, logout of one
/// session first, then the password change that takes the rest, sockets and gateway included.
/// </summary>
public sealed class PasswordChangeTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    private const string NewPassword = "Changed-Pass-9";

    [Fact]
    public async Task ChangePassword_AfterLogoutOfOneSession_RevokesEverySessionSocketAndGateway()
    {
        // Step 1: three sessions; W1 and W2 in R1, gateway G on S3. Bob watches R1 to see what gets broadcast.
        var s1 = await TestUsers.CreateAsync(hub, "alice");
        var s2 = await hub.LoginAsync(s1.Username, HubFixture.UserPassword);
        var s3 = await hub.LoginAsync(s1.Username, HubFixture.UserPassword);
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await s1.CreateRoomAsync("R1", bob.UserId);
        await using var w1 = await WsPeer.ClientAsync(s1, room);
        await using var w2 = await WsPeer.ClientAsync(s2, room);
        await using var g = await WsPeer.GatewayAsync(s3, Unique.Id("gw"));
        await using var watcher = await WsPeer.ClientAsync(bob, room);

        // Steps 2–3: logout of S1 ends S1 only.
        Assert.Equal(200, (await s1.PostAsync("/api/auth/logout", new { refreshToken = s1.RefreshToken })).Status);
        Assert.Equal(401, (await s1.PostAsync("/api/auth/refresh", new { refreshToken = s1.RefreshToken })).Status);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await w1.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        await w2.PingAsync();
        await g.PingAsync("gateway:ping");
        await w2.SendMessageAsync(room, "before-revoke");
        await watcher.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "before-revoke");

        // Step 4: change the password with S2.
        var (status, body) = await s2.PutAsync(
            "/api/users/me/password", new { currentPassword = HubFixture.UserPassword, newPassword = NewPassword });
        Assert.True(status == 200, $"password change: {status} {body}");
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Null(body["data"]);

        // Step 5: a frame on every socket at once; none of them may act.
        var afterRevoke = new { type = "client:send_message", roomId = room, content = "after-revoke", mentions = Array.Empty<string>() };
        await TrySendAsync(w1, afterRevoke);
        await TrySendAsync(w2, afterRevoke);
        await TrySendAsync(g, new { type = "gateway:ping", ts = 1 });
        foreach (var socket in new[] { w2, g })
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync(Deadline));
            Assert.Equal("Session revoked", socket.CloseDescription);
            var notice = Assert.Single(socket.All("server:error"));
            Assert.Equal("SESSION_REVOKED", notice["code"]!.GetValue<string>());
            Assert.Equal("Session revoked", notice["message"]!.GetValue<string>());
        }

        Assert.Equal("SESSION_REVOKED", Assert.Single(w1.All("server:error"))["code"]!.GetValue<string>());
        await watcher.PingAsync();
        Assert.DoesNotContain(watcher.All("server:new_message"), f => f["message"]!["content"]!.GetValue<string>() == "after-revoke");
        Assert.Equal(0, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM messages WHERE room_id = $1 AND content = 'after-revoke'", room));

        // Step 6: every old access token and refresh token is refused, on REST and on a new socket.
        foreach (var session in new[] { s1, s2, s3 })
        {
            Assert.Equal(401, (await session.GetAsync("/api/rooms")).Status);
            Assert.Equal(401, (await bob.PostAsync("/api/auth/refresh", new { refreshToken = session.RefreshToken })).Status);
            await using var fresh = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");
            await fresh.SendAsync(new { type = "client:auth", token = session.AccessToken });
            Assert.False((await fresh.WaitForAsync("server:auth_result"))["ok"]!.GetValue<bool>());
        }

        var oldPassword = await bob.PostAsync("/api/auth/login", new { username = s1.Username, password = HubFixture.UserPassword });
        Assert.Equal(401, oldPassword.Status);
        var renewed = await hub.LoginAsync(s1.Username, NewPassword);
        Assert.Equal(200, (await renewed.GetAsync("/api/rooms")).Status);
        Assert.Equal(200, (await bob.GetAsync("/api/rooms")).Status);
    }

    /// <summary>The socket may already be closing; a send that fails is as good as one that is ignored.</summary>
    private static async Task TrySendAsync(WsPeer socket, object frame)
    {
        try
        {
            await socket.SendAsync(frame);
        }
        catch (WebSocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
