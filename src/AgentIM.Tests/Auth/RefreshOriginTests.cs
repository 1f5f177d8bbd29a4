using System.Text.Json.Nodes;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>A production hub with one allowed browser origin.</summary>
public sealed class ProductionOriginHubFixture : HubFixture
{
    public const string AllowedOrigin = "https://app.example";

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["AGENTIM_ENV"] = "production",
        ["ENCRYPTION_KEY"] = "refresh-origin-tests-encryption-key-0123456789",
        ["CORS_ORIGIN"] = AllowedOrigin,
    };
}

/// <summary>
/// rest-api.md #6: in production a refresh by cookie from a page of a foreign origin is 403 "Forbidden" (the cookie
/// rides along from any site), and the token stays usable from the allowed origin.
/// </summary>
public sealed class RefreshOriginTests(ProductionOriginHubFixture hub) : IClassFixture<ProductionOriginHubFixture>
{
    [Fact]
    public async Task CookieRefresh_FromForeignOrigin_Is403AndLeavesTheTokenValid()
    {
        var admin = await hub.LoginAdminAsync();
        var cookie = ("Cookie", $"agentim_rt={admin.RefreshToken}");

        using var foreign = await RawHttp.SendAsync(
            hub, HttpMethod.Post, "/api/auth/refresh", null, null, cookie, ("Origin", "https://evil.example"));
        var refused = JsonNode.Parse(await foreign.Content.ReadAsStringAsync())!;
        using var allowed = await RawHttp.SendAsync(
            hub, HttpMethod.Post, "/api/auth/refresh", null, null, cookie, ("Origin", ProductionOriginHubFixture.AllowedOrigin));
        var accepted = JsonNode.Parse(await allowed.Content.ReadAsStringAsync())!;

        Assert.Equal(403, (int)foreign.StatusCode);
        Assert.False(refused["ok"]!.GetValue<bool>());
        Assert.Equal("Forbidden", refused["error"]!.GetValue<string>());
        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.NotNull(accepted["data"]!["accessToken"]);
        Assert.Null(accepted["data"]!["refreshToken"]);
    }

    [Fact]
    public async Task BodyRefresh_WithForeignOrigin_IsNotACookieRefreshAndSucceeds()
    {
        var admin = await hub.LoginAdminAsync();

        using var response = await RawHttp.SendAsync(
            hub, HttpMethod.Post, "/api/auth/refresh", new { refreshToken = admin.RefreshToken }, null, ("Origin", "https://evil.example"));

        Assert.Equal(200, (int)response.StatusCode);
    }
}
