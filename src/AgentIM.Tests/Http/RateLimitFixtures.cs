using AgentIM.Settings;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Http;

/// <summary>
/// A development hub with the HTTP limits switched on at their contract values (they are off by default in
/// development), and a user "alice…" created before they were, so no login is spent on setup.
/// </summary>
public class LimitedHubFixture : HubFixture
{
    public Session Alice { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Alice = await CreateUserAsync("alice");
        await RawHttp.SetAsync(this, (SettingKeys.HttpRateLimitsEnabled, "true"));
    }
}

/// <summary>B10 step 3: proxy trust configured, but only for 10.9.9.9, so a loopback peer is a direct client.</summary>
public sealed class ForeignProxyHubFixture : LimitedHubFixture
{
    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["TRUSTED_PROXIES"] = "10.9.9.9",
    };
}
