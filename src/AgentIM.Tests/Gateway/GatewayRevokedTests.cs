using AgentIM.Gateway;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The auth-revoked state (gateway-cli.md §2, §4.1): tokens the hub refuses and cannot refresh leave the
/// <c>auth-revoked</c> marker (which <c>agentim status</c> reports); tokens from a new login are picked up from disk
/// without a restart, and the marker goes away.
/// </summary>
public sealed class GatewayRevokedTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task RefusedTokens_MarkerWritten_NewLoginRecoversAndClearsIt()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var good = stage.Store.LoadSettings()!;
        stage.Store.SaveSettings(good with { Token = "not-a-token", RefreshToken = "not-a-refresh-token" });

        await stage.RestartAsync(_ => { }, waitForAuth: false);

        await Eventually.AssertAsync(
            () => Task.FromResult(stage.Runtime.Link.State == LinkState.Revoked && File.Exists(stage.Store.RevokedMarkerPath)),
            "the gateway gave up on its tokens and left the marker");
        Assert.NotNull(stage.Store.RevokedAt());

        using var http = HubAccounts.CreateHttpClient();
        var (tokens, error) = await new HubAccounts(http).LoginAsync(
            good.ServerBaseUrl, stage.Owner.Username, HubFixture.UserPassword, CancellationToken.None);
        Assert.True(tokens is not null, error);
        stage.Store.SaveSettings(good with { Token = tokens.AccessToken, RefreshToken = tokens.RefreshToken });

        await Eventually.AssertAsync(
            () => Task.FromResult(stage.Runtime.Link.State == LinkState.Authenticated), "the gateway adopted the new login");
        Assert.False(File.Exists(stage.Store.RevokedMarkerPath));
        Assert.Null(stage.Store.RevokedAt());
    }
}
