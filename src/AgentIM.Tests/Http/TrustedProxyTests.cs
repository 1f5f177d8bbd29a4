namespace AgentIM.Tests.Http;

/// <summary>
/// With the default trust (loopback is the reverse proxy), the client is the first untrusted address from the
/// right of X-Forwarded-For: what the client put on the left cannot move it to a fresh bucket.
/// </summary>
public sealed class TrustedProxyTests(LimitedHubFixture hub) : IClassFixture<LimitedHubFixture>
{
    [Fact]
    public async Task Login_BehindTrustedProxy_IsKeyedByTheAddressTheProxyAppended()
    {
        for (var n = 1; n <= 20; n++)
        {
            using var allowed = await LoginAsync($"198.51.100.{n}, 203.0.113.7, 127.0.0.9");
            Assert.Equal(401, (int)allowed.StatusCode);
        }

        using var limited = await LoginAsync("198.51.100.99, 203.0.113.7");
        Assert.Equal(429, (int)limited.StatusCode);

        using var otherClient = await LoginAsync("203.0.113.8");
        Assert.Equal(401, (int)otherClient.StatusCode);
    }

    private Task<HttpResponseMessage> LoginAsync(string forwardedFor) =>
        RawHttp.SendAsync(hub, HttpMethod.Post, "/api/auth/login", new { username = hub.Alice.Username, password = "wrong" }, null,
            ("X-Forwarded-For", forwardedFor));
}
