using System.Net;
using System.Net.Sockets;
using AgentIM.Routers;

namespace AgentIM.Tests.Routers;

public sealed class SsrfGuardTests
{
    [Theory]
    [InlineData("http://localhost:8080/v1")]
    [InlineData("http://LOCALHOST./v1")]
    [InlineData("http://api.localhost/v1")]
    [InlineData("http://printer.local/v1")]
    [InlineData("http://x.internal/v1")]
    [InlineData("http://metadata.google.internal/")]
    [InlineData("http://127.0.0.1/v1")]
    [InlineData("http://127.8.9.10:3000/v1")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://172.31.255.254/")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[fd12:3456::1]/")]
    [InlineData("http://[fc00::1]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    [InlineData("http://[64:ff9b::a00:1]/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://127.1/")]
    [InlineData("http://user:pass@127.0.0.1/")]
    [InlineData("ftp://203.0.113.10/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public void StaticCheck_InternalTargets_AreRefused(string url)
    {
        Assert.False(SsrfGuard.TryStaticCheck(url, out _));
    }

    [Theory]
    [InlineData("https://203.0.113.10/v1")]
    [InlineData("http://198.51.100.7:8080/v1")]
    [InlineData("https://172.32.0.1/")]
    [InlineData("https://[2001:db8::1]/v1")]
    public void StaticCheck_PublicLiteral_IsAllowedWithoutLookup(string url)
    {
        Assert.True(SsrfGuard.TryStaticCheck(url, out var host));
        Assert.Null(host);
    }

    [Fact]
    public async Task Names_AreResolvedAndEveryAddressMustBePublic()
    {
        var resolver = new FakeResolver(new Dictionary<string, IPAddress[]>
        {
            ["llm.example"] = [IPAddress.Parse("203.0.113.20"), IPAddress.Parse("2001:db8::20")],
            ["rebind.example"] = [IPAddress.Parse("203.0.113.21"), IPAddress.Parse("10.0.0.5")],
            ["mapped.example"] = [IPAddress.Parse("::ffff:192.168.0.9")],
        });
        var guard = new SsrfGuard(resolver);

        Assert.True(await guard.IsAllowedAsync("https://llm.example/v1", default));
        Assert.False(await guard.IsAllowedAsync("https://rebind.example/v1", default));
        Assert.False(await guard.IsAllowedAsync("https://mapped.example/v1", default));
        Assert.False(await guard.IsAllowedAsync("https://unknown.example/v1", default));
        Assert.Equal(["llm.example", "rebind.example", "mapped.example", "unknown.example"], resolver.Asked);
    }

    [Fact]
    public async Task Lookup_ThatNeverAnswers_CountsAsUnsafeAfterTheTimeout()
    {
        var guard = new SsrfGuard(new HangingResolver()) { DnsTimeout = TimeSpan.FromMilliseconds(200) };

        Assert.False(await guard.IsAllowedAsync("https://slow.example/v1", default));
    }

    private sealed class FakeResolver(Dictionary<string, IPAddress[]> answers) : IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Asked.Add(host);
            return answers.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        }
    }

    private sealed class HangingResolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.Delay(Timeout.Infinite, CancellationToken.None).ContinueWith(_ => Array.Empty<IPAddress>(), TaskScheduler.Default);
    }
}
