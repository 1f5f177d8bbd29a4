using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>POST /api/auth/refresh: body and cookie paths, rotation, expiry, and two refreshes racing on one token (case B07).</summary>
public sealed class RefreshTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Refresh_JsonBody_ReturnsBothTokensAndRotates()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await RefreshWithBodyAsync(alice.RefreshToken);

        Assert.Equal(200, reply.Status);
        var accessToken = reply.Data["accessToken"]!.GetValue<string>();
        var refreshToken = reply.Data["refreshToken"]!.GetValue<string>();
        Assert.NotEqual(alice.RefreshToken, refreshToken);
        Assert.Equal(refreshToken, reply.CookieValue("agentim_rt"));
        Assert.Equal(200, (await hub.GetAsync("/api/users/me", HubHttp.Bearer(accessToken))).Status);

        var reused = await RefreshWithBodyAsync(alice.RefreshToken);
        Assert.Equal(401, reused.Status);
        Assert.Equal("Refresh token revoked or invalid", reused.Error);
        Assert.Equal("", reused.CookieValue("agentim_rt"));

        Assert.Equal(200, (await RefreshWithBodyAsync(refreshToken)).Status);
    }

    [Fact]
    public async Task Refresh_Cookie_ReturnsOnlyAccessTokenAndRotatesCookie()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.SendAsync(HttpMethod.Post, "/api/auth/refresh", cookie: $"agentim_rt={alice.RefreshToken}");

        Assert.Equal(200, reply.Status);
        Assert.Equal(["accessToken"], reply.Data.AsObject().Select(p => p.Key));
        Assert.Equal(200, (await hub.GetAsync("/api/users/me", HubHttp.Bearer(reply.Data["accessToken"]!.GetValue<string>()))).Status);
        var rotated = reply.CookieValue("agentim_rt");
        Assert.False(string.IsNullOrEmpty(rotated));
        Assert.NotEqual(alice.RefreshToken, rotated);

        var reused = await hub.SendAsync(HttpMethod.Post, "/api/auth/refresh", cookie: $"agentim_rt={alice.RefreshToken}");
        Assert.Equal(401, reused.Status);

        var next = await hub.SendAsync(HttpMethod.Post, "/api/auth/refresh", cookie: $"agentim_rt={rotated}");
        Assert.Equal(200, next.Status);
    }

    [Fact]
    public async Task Refresh_NoTokenAnywhere_Returns401RefreshTokenRequired()
    {
        var empty = await hub.SendAsync(HttpMethod.Post, "/api/auth/refresh");
        var notJson = await hub.SendAsync(HttpMethod.Post, "/api/auth/refresh", "not json");

        Assert.Equal((401, "Refresh token required"), (empty.Status, empty.Error));
        Assert.Equal((401, "Refresh token required"), (notJson.Status, notJson.Error));
    }

    [Fact]
    public async Task Refresh_UnknownToken_Returns401AndClearsCookie()
    {
        var reply = await RefreshWithBodyAsync("not-a-token-we-issued");

        Assert.Equal(401, reply.Status);
        Assert.Equal("Refresh token revoked or invalid", reply.Error);
        Assert.Contains(reply.SetCookies, c => c.StartsWith("agentim_rt=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_ExpiredToken_Returns401AndTokenIsGone()
    {
        var alice = await hub.CreateUserAsync("alice");
        await TestSql.ExecuteAsync(
            hub.DatabaseUrl, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", alice.UserId);

        var expired = await RefreshWithBodyAsync(alice.RefreshToken);
        var again = await RefreshWithBodyAsync(alice.RefreshToken);

        Assert.Equal((401, "Invalid or expired refresh token"), (expired.Status, expired.Error));
        Assert.Equal((401, "Refresh token revoked or invalid"), (again.Status, again.Error));
    }

    [Fact]
    public async Task Refresh_TwoConcurrentWithOneToken_ExactlyOneWinsAndOtherSessionUnaffected()
    {
        var alice = await hub.CreateUserAsync("alice");
        var otherDevice = await hub.LoginAsync(alice.Username, HubFixture.UserPassword);
        string? lastWinner = null;
        string? lastLoser = null;
        const int rounds = 20;

        for (var round = 0; round < rounds; round++)
        {
            var session = await hub.LoginAsync(alice.Username, HubFixture.UserPassword);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = Enumerable.Range(0, 2).Select(async _ =>
            {
                await gate.Task;
                return await RefreshWithBodyAsync(session.RefreshToken);
            }).ToArray();
            gate.SetResult();
            // A functional deadline: a deadlocked or blocked loser would hang far past it.
            var replies = await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(15));

            Assert.All(replies, r => Assert.True(r.Status < 500, $"round {round}: {r}"));
            var winner = Assert.Single(replies, r => r.Status == 200);
            var loser = Assert.Single(replies, r => r.Status != 200);
            Assert.Equal(401, loser.Status);
            Assert.False(loser.Body!["ok"]!.GetValue<bool>());
            Assert.NotNull(winner.Data["accessToken"]);
            lastWinner = winner.Data["refreshToken"]!.GetValue<string>();
            lastLoser = session.RefreshToken;
            if (round < rounds - 1)
            {
                // Each round is a new login; ending it keeps alice under the ten-sessions cap, which would
                // otherwise retire the other device's session (the oldest) by design.
                Assert.Equal(200, (await session.PostAsync("/api/auth/logout", null)).Status);
            }
        }

        Assert.Equal(200, (await RefreshWithBodyAsync(lastWinner!)).Status);
        Assert.Equal(401, (await RefreshWithBodyAsync(lastWinner!)).Status);
        Assert.Equal(401, (await RefreshWithBodyAsync(lastLoser!)).Status);
        Assert.Equal(200, (await alice.GetAsync("/api/users/me")).Status);
        var other = await RefreshWithBodyAsync(otherDevice.RefreshToken);
        Assert.Equal(200, other.Status);
        Assert.Equal(200, (await hub.GetAsync("/api/users/me", HubHttp.Bearer(other.Data["accessToken"]!.GetValue<string>()))).Status);
    }

    private Task<HttpReply> RefreshWithBodyAsync(string refreshToken) =>
        hub.PostJsonAsync("/api/auth/refresh", new { refreshToken });
}
