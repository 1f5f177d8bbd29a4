using AgentIM.Tests.Support;

namespace AgentIM.Tests.Http;

public sealed class EdgeHeadersTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task AnyResponse_InDevelopment_CarriesSecurityHeadersButNoHsts()
    {
        using var health = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");
        using var missing = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/no-such-route");

        foreach (var response in new[] { health, missing })
        {
            Assert.Equal("nosniff", RawHttp.Header(response, "X-Content-Type-Options"));
            Assert.Equal("SAMEORIGIN", RawHttp.Header(response, "X-Frame-Options"));
            Assert.Equal("no-referrer", RawHttp.Header(response, "Referrer-Policy"));
            Assert.Null(RawHttp.Header(response, "Strict-Transport-Security"));
        }

        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("404 Not Found", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnyResponse_CarriesTheCallersRequestIdCutTo32_OrAFreshOne()
    {
        using var given = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("X-Request-ID", "trace-42"));
        using var longOne = await RawHttp.SendAsync(
            hub, HttpMethod.Get, "/api/no-such-route", null, null, ("X-Request-ID", new string('a', 40)));
        using var none = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");
        using var again = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal("trace-42", RawHttp.Header(given, "X-Request-ID"));
        Assert.Equal(new string('a', 32), RawHttp.Header(longOne, "X-Request-ID"));
        Assert.Matches("^[A-Za-z0-9_-]{12}$", RawHttp.Header(none, "X-Request-ID"));
        Assert.NotEqual(RawHttp.Header(none, "X-Request-ID"), RawHttp.Header(again, "X-Request-ID"));
    }

    [Fact]
    public async Task Cors_ListedOriginEchoed_OtherOriginsGetTheFirstListed()
    {
        using var listed = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("Origin", "http://localhost:5173"));
        using var other = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("Origin", "https://evil.example"));
        using var none = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal("http://localhost:5173", RawHttp.Header(listed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", RawHttp.Header(listed, "Access-Control-Allow-Credentials"));
        Assert.Equal("http://localhost:5173", RawHttp.Header(other, "Access-Control-Allow-Origin"));
        Assert.Null(RawHttp.Header(none, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_Preflight_Answers204WithMethodsAndRequestedHeaders()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Options, "/api/rooms", null, null,
            ("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization,content-type"));

        Assert.Equal(204, (int)response.StatusCode);
        Assert.Equal("http://localhost:5173", RawHttp.Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", RawHttp.Header(response, "Access-Control-Allow-Methods")!);
        Assert.Equal("authorization,content-type", RawHttp.Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Cors_ErrorResponses_StayReadableByTheAllowedOrigin()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/routers", null, null, ("Origin", "http://localhost:5173"));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("http://localhost:5173", RawHttp.Header(response, "Access-Control-Allow-Origin"));
    }
}

public sealed class ProductionHubFixture : HubFixture
{
    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["AGENTIM_ENV"] = "production",
        ["ENCRYPTION_KEY"] = "production-test-encryption-key-0123456789",
    };
}

public sealed class ProductionEdgeTests(ProductionHubFixture hub) : IClassFixture<ProductionHubFixture>
{
    [Fact]
    public async Task AnyResponse_InProduction_AddsHstsCspAndPermissionsPolicy()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal("max-age=15552000; includeSubDomains", RawHttp.Header(response, "Strict-Transport-Security"));
        Assert.Contains("default-src 'self'", RawHttp.Header(response, "Content-Security-Policy"));
        Assert.Equal("camera=(), microphone=(), geolocation=(), payment=()", RawHttp.Header(response, "Permissions-Policy"));
    }

    [Fact]
    public async Task Cors_InProductionWithoutOrigins_AllowsNone()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("Origin", "https://any.example"));

        Assert.Null(RawHttp.Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task RateLimits_InProduction_AreOnWithTheContractApiLimit()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal("120", RawHttp.Header(response, "X-RateLimit-Limit"));
    }
}
