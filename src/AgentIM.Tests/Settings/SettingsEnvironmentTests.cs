using AgentIM.Infrastructure.Config;
using AgentIM.Settings;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Settings;

/// <summary>A hub whose environment carries variables HubConfig does not parse itself (as an --env-file would).</summary>
public sealed class EnvSettingsHubFixture : HubFixture
{
    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["OAUTH_GITHUB_CLIENT_ID"] = "gh-client-from-env",
        ["ROUTER_LLM_MODEL"] = "model-from-env",
        ["GATEWAY_MAX_OFFLINE_DAYS"] = "12",
    };
}

/// <summary>
/// The environment layer of runtime settings (behaviour.md §14.2) is the environment the hub's configuration was
/// built from, every variable of it, and nothing else.
/// </summary>
public sealed class SettingsEnvironmentTests(EnvSettingsHubFixture hub) : IClassFixture<EnvSettingsHubFixture>
{
    [Fact]
    public async Task AdminSettings_ShowVariablesOnlyTheEnvironmentHad_WithSourceEnv()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.GetAsync("/api/admin/settings");

        Assert.Equal(200, status);
        var items = body!["data"]!.AsObject().SelectMany(g => g.Value!.AsArray()).ToDictionary(i => i!["key"]!.GetValue<string>());
        Assert.Equal("gh-client-from-env", items["oauth.github.clientId"]!["value"]!.GetValue<string>());
        Assert.Equal("env", items["oauth.github.clientId"]!["source"]!.GetValue<string>());
        Assert.Equal("model-from-env", items["router.llm.model"]!["value"]!.GetValue<string>());
        Assert.Equal("12", items["cleanup.gatewayMaxOfflineDays"]!["value"]!.GetValue<string>());
        Assert.Equal("default", items["storage.s3.bucket"]!["source"]!.GetValue<string>());
    }

    [Fact]
    public void Get_ReadsTheConfigurationsEnvironment_NotTheTestRunners()
    {
        Assert.False(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PATH")));
        var config = HubConfig.FromEnvironment(new Dictionary<string, string>
        {
            ["AGENTIM_ENV"] = "development",
            ["S3_BUCKET"] = "bucket-from-file",
            ["CORS_ORIGIN"] = "https://a.example, https://b.example",
        });
        var environment = new SettingsEnvironment(config);

        Assert.Equal("bucket-from-file", environment.Get("S3_BUCKET"));
        Assert.Equal("https://a.example,https://b.example", environment.Get("CORS_ORIGIN"));
        Assert.Null(environment.Get("PATH"));
        Assert.Null(environment.Get("TOTP_ISSUER"));
    }
}
