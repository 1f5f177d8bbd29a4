using System.Net.WebSockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Users;

/// <summary>
/// POST /api/users/:id/disable and /enable (the web admin's disable switch): a disabled user cannot sign in and
/// loses every session at once; enabling lets them sign in again; the caller and the last admin stay enabled.
/// </summary>
public sealed class UsersDisableTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Disable_RefusesLoginEndsSessions_EnableLetsTheUserBackIn()
    {
        var admin = await hub.LoginAdminAsync();
        var target = await TestUsers.CreateAsync(hub, "off");
        var roomId = await target.CreateRoomAsync("off-room");
        await using var socket = await WsPeer.ClientAsync(target, roomId);

        var (status, body) = await admin.PostAsync($"/api/users/{target.UserId}/disable", null);

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync(Deadline));
        Assert.Equal(401, (await target.GetAsync("/api/users/me")).Status);
        var refused = await hub.PostJsonAsync("/api/auth/login", new { username = target.Username, password = HubFixture.UserPassword });
        Assert.Equal(401, refused.Status);
        var (_, list) = await admin.GetAsync("/api/users?limit=500");
        var listed = list!["data"]!.AsArray().Single(u => u!["id"]!.GetValue<string>() == target.UserId)!;
        Assert.NotNull(listed["disabledAt"]);

        var (enabled, _) = await admin.PostAsync($"/api/users/{target.UserId}/enable", null);

        Assert.Equal(200, enabled);
        var again = await hub.LoginAsync(target.Username, HubFixture.UserPassword);
        Assert.Equal(200, (await again.GetAsync("/api/users/me")).Status);
        var (_, after) = await admin.GetAsync("/api/users?limit=500");
        Assert.Null(after!["data"]!.AsArray().Single(u => u!["id"]!.GetValue<string>() == target.UserId)!["disabledAt"]);
    }

    [Fact]
    public async Task Disable_Yourself_UnknownOrBadId_AndAsPlainUser_AreRefused()
    {
        var admin = await hub.LoginAdminAsync();
        var user = await TestUsers.SharedAsync(hub);

        var self = await admin.PostAsync($"/api/users/{admin.UserId}/disable", null);
        var unknown = await admin.PostAsync("/api/users/nobody_here/disable", null);
        var bad = await admin.PostAsync("/api/users/bad.id!/enable", null);
        var plain = await user.PostAsync($"/api/users/{admin.UserId}/disable", null);

        Assert.Equal(400, self.Status);
        Assert.Equal("Cannot disable yourself", self.Body!["error"]!.GetValue<string>());
        Assert.Equal(404, unknown.Status);
        Assert.Equal(400, bad.Status);
        Assert.Equal("Invalid parameter: id", bad.Body!["error"]!.GetValue<string>());
        Assert.Equal(403, plain.Status);
        Assert.Equal(200, (await admin.GetAsync("/api/users/me")).Status);
    }
}
