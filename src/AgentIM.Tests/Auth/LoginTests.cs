using System.Text.RegularExpressions;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>POST /api/auth/login: the success shape, the refresh cookie, one answer for every refusal, case-blind names, lockout.</summary>
public sealed class LoginTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Login_ValidCredentials_ReturnsUserTokensAndRefreshCookie()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.PostJsonAsync("/api/auth/login", new { username = alice.Username, password = HubFixture.UserPassword });

        Assert.Equal(200, reply.Status);
        Assert.True(reply.Body!["ok"]!.GetValue<bool>());
        var data = reply.Data;
        var user = data["user"]!;
        Assert.Equal(alice.UserId, user["id"]!.GetValue<string>());
        Assert.Equal(alice.Username, user["username"]!.GetValue<string>());
        Assert.Equal(alice.Username, user["displayName"]!.GetValue<string>());
        Assert.Null(user["avatarUrl"]);
        Assert.True(user.AsObject().ContainsKey("avatarUrl"));
        Assert.Equal("user", user["role"]!.GetValue<string>());
        Assert.False(user["totpEnabled"]!.GetValue<bool>());
        Assert.False(user.AsObject().ContainsKey("passwordHash"));

        var accessToken = data["accessToken"]!.GetValue<string>();
        var refreshToken = data["refreshToken"]!.GetValue<string>();
        Assert.Equal("access", Jwt.Payload(accessToken)["type"]!.GetValue<string>());
        Assert.Equal(alice.UserId, Jwt.Payload(accessToken)["sub"]!.GetValue<string>());
        Assert.NotEqual(accessToken, refreshToken);
        Assert.NotEqual(alice.RefreshToken, refreshToken);

        var cookie = Assert.Single(reply.SetCookies, c => c.StartsWith("agentim_rt=", StringComparison.Ordinal));
        Assert.Equal(refreshToken, reply.CookieValue("agentim_rt"));
        var attributes = cookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/api/auth", attributes);
        Assert.Contains(attributes, a => Regex.IsMatch(a, @"^max-age=604800$"));
        // The fixture runs in development: Secure is a production-only attribute (rest-api.md §2).
        Assert.DoesNotContain("secure", attributes);
    }

    [Fact]
    public async Task Login_WrongPassword_Returns401InvalidCredentials()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.PostJsonAsync("/api/auth/login", new { username = alice.Username, password = "Wrong-Pass-1" });

        Assert.Equal(401, reply.Status);
        Assert.False(reply.Body!["ok"]!.GetValue<bool>());
        Assert.Equal("Invalid credentials", reply.Error);
        Assert.DoesNotContain(reply.SetCookies, c => c.StartsWith("agentim_rt=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_UnknownUser_Returns401InvalidCredentials()
    {
        var username = "nobody-" + Guid.NewGuid().ToString("N")[..8];

        var reply = await hub.PostJsonAsync("/api/auth/login", new { username, password = "Whatever-1" });

        Assert.Equal(401, reply.Status);
        Assert.Equal("Invalid credentials", reply.Error);
    }

    [Fact]
    public async Task Login_UsernameInAnyLetterCase_ReturnsCanonicalUsername()
    {
        var alice = await hub.CreateUserAsync("alice");

        var spellings = new[] { alice.Username.ToUpperInvariant(), char.ToUpperInvariant(alice.Username[0]) + alice.Username[1..] };

        foreach (var spelling in spellings)
        {
            var reply = await hub.PostJsonAsync("/api/auth/login", new { username = spelling, password = HubFixture.UserPassword });

            Assert.Equal(200, reply.Status);
            Assert.Equal(alice.UserId, reply.Data["user"]!["id"]!.GetValue<string>());
            Assert.Equal(alice.Username, reply.Data["user"]!["username"]!.GetValue<string>());
            Assert.Equal(alice.Username, Jwt.Payload(reply.Data["accessToken"]!.GetValue<string>())["username"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Login_FiveWrongPasswords_LocksAccountEvenForRightPassword()
    {
        var alice = await hub.CreateUserAsync("alice");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(401, (await LoginAsync(alice.Username, "Wrong-Pass-1")).Status);
        }

        // Four failures do not lock yet; a right password now would reset the count, so fail once more instead.
        Assert.Null(await LockedUntilAsync(alice.UserId));
        Assert.Equal(401, (await LoginAsync(alice.Username, "Wrong-Pass-1")).Status);
        Assert.NotNull(await LockedUntilAsync(alice.UserId));

        var refused = await LoginAsync(alice.Username, HubFixture.UserPassword);

        Assert.Equal(401, refused.Status);
        Assert.Equal("Invalid credentials", refused.Error);
        Assert.Equal(5, await FailedAttemptsAsync(alice.UserId));
    }

    [Fact]
    public async Task Login_LockExpired_RightPasswordWorksAndResetsCount()
    {
        var alice = await hub.CreateUserAsync("alice");
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(alice.Username, "Wrong-Pass-1");
        }

        Assert.Equal(401, (await LoginAsync(alice.Username, HubFixture.UserPassword)).Status);
        await ExpireLockAsync(alice.UserId);

        var reply = await LoginAsync(alice.Username, HubFixture.UserPassword);

        Assert.Equal(200, reply.Status);
        Assert.Null(await LockedUntilAsync(alice.UserId));
        Assert.Equal(0, await FailedAttemptsAsync(alice.UserId));
    }

    [Fact]
    public async Task Login_WrongPasswordAfterLockExpired_StartsFreshCountInsteadOfRelocking()
    {
        var alice = await hub.CreateUserAsync("alice");
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(alice.Username, "Wrong-Pass-1");
        }

        await ExpireLockAsync(alice.UserId);

        Assert.Equal(401, (await LoginAsync(alice.Username, "Wrong-Pass-1")).Status);

        Assert.Null(await LockedUntilAsync(alice.UserId));
        Assert.Equal(200, (await LoginAsync(alice.Username, HubFixture.UserPassword)).Status);
    }

    [Fact]
    public async Task Login_MissingPassword_ReturnsValidationErrorNamingField()
    {
        var reply = await hub.PostJsonAsync("/api/auth/login", new { username = "alice" });

        Assert.Equal(400, reply.Status);
        Assert.Equal("Validation failed", reply.Error);
        Assert.Contains(reply.Body!["fields"]!.AsArray(), f => f!["field"]!.GetValue<string>() == "password");
    }

    [Fact]
    public async Task Login_BodyIsNotJson_Returns400InvalidJsonBody()
    {
        var reply = await hub.SendAsync(HttpMethod.Post, "/api/auth/login", "username=alice&password=x");

        Assert.Equal(400, reply.Status);
        Assert.Equal("Invalid JSON body", reply.Error);
    }

    private Task<HttpReply> LoginAsync(string username, string password) =>
        hub.PostJsonAsync("/api/auth/login", new { username, password });

    private async Task<DateTime?> LockedUntilAsync(string userId)
    {
        var value = await TestSql.ScalarAsync<object>(hub.DatabaseUrl, "SELECT locked_until FROM users WHERE id = $1", userId);
        return value is DateTime at ? at : null;
    }

    private Task<int> FailedAttemptsAsync(string userId) =>
        TestSql.ScalarAsync<int>(hub.DatabaseUrl, "SELECT failed_login_attempts FROM users WHERE id = $1", userId);

    private Task ExpireLockAsync(string userId) =>
        TestSql.ExecuteAsync(hub.DatabaseUrl, "UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1", userId);
}
