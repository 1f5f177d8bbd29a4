using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>POST /api/auth/logout ends exactly one session: its access token and its refresh token (decisions.md).</summary>
public sealed class LogoutTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Logout_RevokesThatSessionOnly_OtherSessionKeepsWorking()
    {
        var laptop = await hub.CreateUserAsync("alice");
        var phone = await hub.LoginAsync(laptop.Username, HubFixture.UserPassword);

        var reply = await laptop.PostAsync("/api/auth/logout", new { refreshToken = laptop.RefreshToken });

        Assert.Equal(200, reply.Status);
        Assert.True(reply.Body!["ok"]!.GetValue<bool>());
        var revoked = await laptop.GetAsync("/api/users/me");
        Assert.Equal(401, revoked.Status);
        Assert.Equal("Token revoked", revoked.Body!["error"]!.GetValue<string>());
        Assert.Equal(401, (await hub.PostJsonAsync("/api/auth/refresh", new { refreshToken = laptop.RefreshToken })).Status);

        Assert.Equal(200, (await phone.GetAsync("/api/users/me")).Status);
        Assert.Equal(200, (await hub.PostJsonAsync("/api/auth/refresh", new { refreshToken = phone.RefreshToken })).Status);
    }

    [Fact]
    public async Task Logout_WithoutRefreshToken_StillEndsTheSessionsRefreshTokens()
    {
        var alice = await hub.CreateUserAsync("alice");

        Assert.Equal(200, (await alice.PostAsync("/api/auth/logout", null)).Status);

        Assert.Equal(401, (await hub.PostJsonAsync("/api/auth/refresh", new { refreshToken = alice.RefreshToken })).Status);
    }

    [Fact]
    public async Task Logout_AccessTokenOfRefreshedSession_IsRevokedToo()
    {
        var alice = await hub.CreateUserAsync("alice");
        var refreshed = await hub.PostJsonAsync("/api/auth/refresh", new { refreshToken = alice.RefreshToken });
        var newAccessToken = refreshed.Data["accessToken"]!.GetValue<string>();

        Assert.Equal(200, (await alice.PostAsync("/api/auth/logout", null)).Status);

        var reply = await hub.GetAsync("/api/users/me", HubHttp.Bearer(newAccessToken));
        Assert.Equal((401, "Token revoked"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Logout_WithoutBearer_Returns401Unauthorized()
    {
        var reply = await hub.SendAsync(HttpMethod.Post, "/api/auth/logout", "{}");

        Assert.Equal((401, "Unauthorized"), (reply.Status, reply.Error));
    }
}
