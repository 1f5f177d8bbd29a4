using AgentIM.Settings;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Http;

/// <summary>The limiters follow their settings at run time: lowered, raised, per IP or per user.</summary>
public sealed class RateLimitSettingsTests(LimitedHubFixture hub) : IClassFixture<LimitedHubFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => RawHttp.SetAsync(hub,
        (SettingKeys.HttpLimitMax("api"), null),
        (SettingKeys.HttpLimitMax("roomCreate"), null),
        (SettingKeys.HttpLimitMax("wsUpgrade"), null));

    [Fact]
    public async Task RoomCreate_OverThePerUserLimit_Answers429ForThatUserOnly()
    {
        await RawHttp.SetAsync(hub, (SettingKeys.HttpLimitMax("roomCreate"), "2"));
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");

        await bob.CreateRoomAsync("r1");
        await bob.CreateRoomAsync("r2");
        var (status, body) = await bob.PostAsync("/api/rooms", new { name = "r3", type = "group" });
        Assert.Equal(429, status);
        Assert.Equal("Too many requests", body!["error"]!.GetValue<string>());

        await carol.CreateRoomAsync("c1");
    }

    [Fact]
    public async Task WsUpgrade_OverTheLimit_Answers429BeforeTheSocketRoute()
    {
        await RawHttp.SetAsync(hub, (SettingKeys.HttpLimitMax("wsUpgrade"), "1"));
        using var first = await RawHttp.SendAsync(hub, HttpMethod.Get, "/ws/gateway");
        using var second = await RawHttp.SendAsync(hub, HttpMethod.Get, "/ws/gateway");

        Assert.NotEqual(429, (int)first.StatusCode);
        Assert.Equal(429, (int)second.StatusCode);
    }

    [Fact]
    public async Task Api_LimitRaisedAndLowered_TakesEffectWithoutRestart()
    {
        await RawHttp.SetAsync(hub, (SettingKeys.HttpLimitMax("api"), "1000"));
        for (var i = 0; i < 130; i++)
        {
            using var ok = await HealthAsync();
            Assert.Equal(200, (int)ok.StatusCode);
        }

        await RawHttp.SetAsync(hub, (SettingKeys.HttpLimitMax("api"), "100"));
        using var limited = await HealthAsync();
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("100", RawHttp.Header(limited, "X-RateLimit-Limit"));
    }

    // A client of its own (loopback is a trusted proxy here), so the other tests of the class keep their budget.
    private Task<HttpResponseMessage> HealthAsync() =>
        RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("X-Forwarded-For", "203.0.113.50"));
}

/// <summary>The default test hub (development) does not limit; so the other suites never meet a 429.</summary>
public sealed class RateLimitDefaultsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Login_ManyAttemptsOnDevelopmentHub_AreNotLimited()
    {
        for (var n = 0; n < 30; n++)
        {
            using var response = await RawHttp.SendAsync(
                hub, HttpMethod.Post, "/api/auth/login", new { username = "nobody", password = "x" });
            Assert.Equal(401, (int)response.StatusCode);
        }
    }

    [Fact]
    public void Catalog_Production_SwitchesLimitsOnWithContractValues()
    {
        var production = new SettingCatalog(new Infrastructure.Config.HubConfig { IsProduction = true });
        var development = new SettingCatalog(new Infrastructure.Config.HubConfig { IsProduction = false });

        Assert.Equal("true", production[SettingKeys.HttpRateLimitsEnabled].Default);
        Assert.Equal("false", development[SettingKeys.HttpRateLimitsEnabled].Default);
        Assert.Equal("120", production[SettingKeys.HttpLimitMax("api")].Default);
        Assert.Equal("20", production[SettingKeys.HttpLimitMax("auth")].Default);
        Assert.Equal("60", production[SettingKeys.HttpLimitMax("authRefresh")].Default);
        Assert.Equal("10", production[SettingKeys.HttpLimitMax("roomCreate")].Default);
        Assert.Equal("30", production[SettingKeys.HttpLimitMax("wsUpgrade")].Default);
    }
}
