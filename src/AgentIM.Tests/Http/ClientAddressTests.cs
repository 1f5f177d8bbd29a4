using System.Net;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;

namespace AgentIM.Tests.Http;

public sealed class ClientAddressTests
{
    private static readonly TrustedProxies Proxies = TrustedProxies.Parse(["10.9.9.9", "192.168.50.0/24", "127.0.0.1"]);

    [Theory]
    // An untrusted peer is the client, whatever it claims.
    [InlineData("203.0.113.5", "1.1.1.1", "203.0.113.5")]
    [InlineData("203.0.113.5", null, "203.0.113.5")]
    // A trusted peer: the first untrusted address from the right.
    [InlineData("10.9.9.9", "6.6.6.6, 198.51.100.4", "198.51.100.4")]
    [InlineData("10.9.9.9", "6.6.6.6, 198.51.100.4, 192.168.50.7", "198.51.100.4")]
    [InlineData("10.9.9.9", "198.51.100.4:5123", "198.51.100.4")]
    [InlineData("10.9.9.9", "[2001:db8::7]:443", "2001:db8::7")]
    // Every hop trusted: the leftmost one.
    [InlineData("10.9.9.9", "192.168.50.1", "192.168.50.1")]
    // A malformed hop stops the walk at the last proxy that vouched.
    [InlineData("10.9.9.9", "6.6.6.6, not-an-ip", "10.9.9.9")]
    [InlineData("10.9.9.9", null, "10.9.9.9")]
    // IPv4-mapped peers count as their IPv4 address.
    [InlineData("::ffff:10.9.9.9", "198.51.100.4", "198.51.100.4")]
    public void Resolve_PeerAndForwardedFor_FindsTheClient(string peer, string? forwardedFor, string expected)
    {
        var headers = forwardedFor is null ? Array.Empty<string?>() : [forwardedFor];

        var client = ClientAddress.Resolve(IPAddress.Parse(peer), headers, Proxies);

        Assert.Equal(IPAddress.Parse(expected), client);
    }

    [Fact]
    public void Resolve_SeveralHeaderLines_ReadsThemAsOneList()
    {
        var client = ClientAddress.Resolve(IPAddress.Parse("10.9.9.9"), ["6.6.6.6", "198.51.100.4, 192.168.50.2"], Proxies);

        Assert.Equal(IPAddress.Parse("198.51.100.4"), client);
    }

    [Theory]
    [InlineData("POST", "/api/auth/login", "api,auth")]
    [InlineData("post", "/API/Auth/Login/", "api,auth")]
    [InlineData("POST", "/api/auth/verify-totp", "api,auth")]
    [InlineData("POST", "/api/auth/refresh", "api,auth_refresh")]
    [InlineData("GET", "/api/auth/login", "api")]
    [InlineData("POST", "/api/rooms", "api,room-create")]
    [InlineData("POST", "/api/rooms/abc/members", "api")]
    [InlineData("POST", "/api/routers/abc/test", "api,router-test")]
    [InlineData("POST", "/api/routers/a/b/test", "api")]
    [InlineData("PUT", "/api/users/me/password", "api,sens")]
    [InlineData("GET", "/api/messages/search", "api,sens")]
    [InlineData("POST", "/api/upload/avatar", "api,upload")]
    [InlineData("GET", "/api/health", "api")]
    [InlineData("GET", "/ws/client", "ws_upgrade")]
    [InlineData("GET", "/ws/gateway", "ws_upgrade")]
    [InlineData("GET", "/login", "")]
    [InlineData("GET", "/apix", "")]
    public void Classify_Request_CountsInTheContractBuckets(string method, string path, string expected)
    {
        Assert.Equal(expected, string.Join(",", RateLimiting.Classify(method, path).Select(b => b.Name)));
    }
}
