using AgentIM.Gateway;
using AgentIM.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The gateway's login against a real hub: tokens from POST /api/auth/login, rotation through the JSON-body refresh
/// (the old refresh token is then refused for good), a refused access token refreshed and re-sent on the same socket.
/// </summary>
public sealed class GatewayLoginTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Login_WrongPassword_FailsWithStatus()
    {
        var user = await TestUsers.CreateAsync(hub, "gwlogin");
        using var http = HubAccounts.CreateHttpClient();

        var (tokens, error) = await new HubAccounts(http).LoginAsync(BaseUrl, user.Username, "Wrong-Pass-1", CancellationToken.None);

        Assert.Null(tokens);
        Assert.StartsWith("Login failed: 401", error);
    }

    [Fact]
    public async Task Refresh_JsonBody_RotatesAndOldTokenRefused()
    {
        var user = await TestUsers.CreateAsync(hub, "gwrefresh");
        using var http = HubAccounts.CreateHttpClient();
        var accounts = new HubAccounts(http);
        var (tokens, _) = await accounts.LoginAsync(BaseUrl, user.Username, HubFixture.UserPassword, CancellationToken.None);

        var (outcome, fresh) = await accounts.RefreshAsync(BaseUrl, tokens!.RefreshToken, CancellationToken.None);
        var (again, _) = await accounts.RefreshAsync(BaseUrl, tokens.RefreshToken, CancellationToken.None);

        Assert.Equal(RefreshOutcome.Refreshed, outcome);
        Assert.NotEqual(tokens.RefreshToken, fresh!.RefreshToken);
        Assert.Equal(RefreshOutcome.Refused, again);
    }

    [Fact]
    public async Task Gateway_InvalidAccessToken_RefreshesAndConnects()
    {
        var user = await TestUsers.CreateAsync(hub, "gwstale");
        using var http = HubAccounts.CreateHttpClient();
        var (tokens, _) = await new HubAccounts(http).LoginAsync(BaseUrl, user.Username, HubFixture.UserPassword, CancellationToken.None);
        var root = Directory.CreateTempSubdirectory("agentim-gw-").FullName;
        try
        {
            var store = new GatewayConfigStore(root);
            var settings = new GatewaySettings(2, HubAccounts.GatewaySocketUrl(BaseUrl), BaseUrl, "not-a-valid-token", tokens!.RefreshToken,
                store.GatewayId(), user.Username);
            store.SaveSettings(settings);
            var catalog = new AdapterCatalog(new Dictionary<string, CustomAdapter>(), null, []);
            var runtime = new GatewayRuntime(
                store, settings, GatewayStage.FastOptions, catalog, NullLoggerFactory.Instance, persistentAgentIds: true);
            using var stop = new CancellationTokenSource();
            var run = runtime.RunAsync(stop.Token);

            await Eventually.AssertAsync(
                () => Task.FromResult(runtime.Link.State == LinkState.Authenticated), "authenticated after refresh");

            Assert.Equal(1, runtime.Link.Authentications);
            Assert.NotEqual("not-a-valid-token", store.LoadSettings()!.Token);
            Assert.NotEqual(tokens.RefreshToken, store.LoadSettings()!.RefreshToken);
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(nameof(LinkState.Stopped), store.LoadStatus()!.State);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ServerAddress_OnlyHttpUrls()
    {
        Assert.Equal("http://127.0.0.1:3000", HubAccounts.NormalizeServer("http://127.0.0.1:3000/"));
        Assert.Equal("ws://127.0.0.1:3000/ws/gateway", HubAccounts.GatewaySocketUrl("http://127.0.0.1:3000"));
        Assert.Equal("wss://hub.example/ws/gateway", HubAccounts.GatewaySocketUrl("https://hub.example"));
        Assert.Null(HubAccounts.NormalizeServer("ftp://127.0.0.1"));
        Assert.Null(HubAccounts.NormalizeServer("127.0.0.1:3000"));
    }

    private string BaseUrl => HubAccounts.NormalizeServer(hub.BaseAddress.ToString())!;
}
