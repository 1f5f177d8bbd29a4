using System.Text.Json.Nodes;
using AgentIM.Tests.Auth;
using AgentIM.Tests.Http;

namespace AgentIM.Tests.Web;

/// <summary>
/// The embedded app stays signed in by refreshing with its cookie from the hub's own origin; in production that
/// origin is allowed even when CORS_ORIGIN lists only others (a foreign origin stays refused, RefreshOriginTests).
/// </summary>
public sealed class WebAppRefreshTests(ProductionOriginHubFixture hub) : IClassFixture<ProductionOriginHubFixture>
{
    [Fact]
    public async Task CookieRefresh_FromTheHubsOwnOrigin_IsAccepted()
    {
        var admin = await hub.LoginAdminAsync();
        var ownOrigin = hub.BaseAddress.GetLeftPart(UriPartial.Authority);

        using var response = await RawHttp.SendAsync(hub, HttpMethod.Post, "/api/auth/refresh", null, null,
            ("Cookie", $"agentim_rt={admin.RefreshToken}"), ("Origin", ownOrigin));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.NotNull(body["data"]!["accessToken"]);
    }

    [Fact]
    public async Task CookieRefresh_FromAnotherPortOfTheSameHost_IsRefused()
    {
        var admin = await hub.LoginAdminAsync();
        var otherPort = new UriBuilder(hub.BaseAddress) { Port = hub.BaseAddress.Port == 1 ? 2 : 1 }.Uri.GetLeftPart(UriPartial.Authority);

        using var response = await RawHttp.SendAsync(hub, HttpMethod.Post, "/api/auth/refresh", null, null,
            ("Cookie", $"agentim_rt={admin.RefreshToken}"), ("Origin", otherPort));

        Assert.Equal(403, (int)response.StatusCode);
    }
}
