using AgentIM.Tests.Support;

namespace AgentIM.Tests.Http;

/// <summary>HEAD on the API answers as GET would, with the same status and headers and no body (RFC 9110 §9.3.2).</summary>
public sealed class HeadRequestsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task HeadHealth_Answers200LikeGet_WithoutABody()
    {
        using var get = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");
        using var head = await RawHttp.SendAsync(hub, HttpMethod.Head, "/api/health");

        Assert.Equal(200, (int)get.StatusCode);
        Assert.Equal(200, (int)head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", RawHttp.Header(head, "X-Content-Type-Options"));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/api/users/me", false)]
    [InlineData("/api/users/me", true)]
    [InlineData("/api/rooms", true)]
    [InlineData("/api/no-such-route", true)]
    [InlineData("/api/auth/login", false)]
    public async Task Head_GetsTheStatusGetGets_WithoutABody(string path, bool signedIn)
    {
        var token = signedIn ? (await hub.CreateUserAsync("head")).AccessToken : null;

        using var get = await RawHttp.SendAsync(hub, HttpMethod.Get, path, null, token);
        using var head = await RawHttp.SendAsync(hub, HttpMethod.Head, path, null, token);

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
