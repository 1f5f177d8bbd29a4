using System.Text.Json.Nodes;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>
/// Runtime settings take effect without a restart (behaviour.md §14.2): token lifetimes changed through
/// <c>PUT /api/admin/settings</c> apply to the next login and refresh, and metrics auth follows its switch.
/// </summary>
public sealed class TokenLifetimeSettingsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task ChangedLifetimes_ApplyToTheNextLoginAndRefresh()
    {
        var admin = await hub.LoginAdminAsync();
        var alice = await hub.CreateUserAsync("alice");
        Assert.Equal(15 * 60, Lifetime(alice.AccessToken));

        var (status, body) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, string> { ["jwt.accessExpiry"] = "2m", ["jwt.refreshExpiry"] = "1h" },
        });
        Assert.True(status == 200, $"settings: {status} {body}");

        using var login = await RawHttp.SendAsync(
            hub, HttpMethod.Post, "/api/auth/login", new { username = alice.Username, password = HubFixture.UserPassword });
        var data = JsonNode.Parse(await login.Content.ReadAsStringAsync())!["data"]!;
        Assert.Equal(120, Lifetime(data["accessToken"]!.GetValue<string>()));
        Assert.Contains("max-age=3600", RawHttp.Header(login, "Set-Cookie")!, StringComparison.OrdinalIgnoreCase);

        using var refresh = await RawHttp.SendAsync(
            hub, HttpMethod.Post, "/api/auth/refresh", new { refreshToken = data["refreshToken"]!.GetValue<string>() });
        var refreshed = JsonNode.Parse(await refresh.Content.ReadAsStringAsync())!["data"]!;
        Assert.Equal(120, Lifetime(refreshed["accessToken"]!.GetValue<string>()));
        Assert.Contains("max-age=3600", RawHttp.Header(refresh, "Set-Cookie")!, StringComparison.OrdinalIgnoreCase);
        var expiresAt = await TestSql.ScalarAsync<DateTime>(
            hub.DatabaseUrl, "SELECT expires_at FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 1", alice.UserId);
        Assert.InRange(expiresAt, DateTime.UtcNow.AddMinutes(55), DateTime.UtcNow.AddMinutes(65));
    }

    [Fact]
    public async Task MetricsAuthSetting_SwitchesTheScrapeAuthWithoutRestart()
    {
        var admin = await hub.LoginAdminAsync();
        using var before = await hub.Http.GetAsync("/api/metrics");
        Assert.Equal(200, (int)before.StatusCode);

        var (status, _) = await admin.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, string> { ["metrics.authEnabled"] = "true" } });
        Assert.Equal(200, status);
        using var anonymous = await hub.Http.GetAsync("/api/metrics");
        var (withToken, _) = await admin.GetAsync("/api/metrics");

        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal("Unauthorized", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(200, withToken);

        await admin.PutAsync("/api/admin/settings", new { changes = new Dictionary<string, string?> { ["metrics.authEnabled"] = null } });
        using var after = await hub.Http.GetAsync("/api/metrics");
        Assert.Equal(200, (int)after.StatusCode);
    }

    private static long Lifetime(string token)
    {
        var payload = Jwt.Payload(token);
        return payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>();
    }
}
