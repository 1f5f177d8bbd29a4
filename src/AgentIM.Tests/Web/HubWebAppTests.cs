using System.Text.RegularExpressions;
using AgentIM.Infrastructure.Http;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Web;

/// <summary>The real hub without WEB_DIR serves the app embedded in its own assembly at / (issue #9).</summary>
public sealed partial class HubWebAppTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Root_ServesTheEmbeddedAppAndItsHashedScript()
    {
        using var index = await RawHttp.SendAsync(hub, HttpMethod.Get, "/");
        var html = await index.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)index.StatusCode);
        Assert.StartsWith("text/html", index.Content.Headers.ContentType!.ToString());
        Assert.True(index.Headers.CacheControl!.NoCache);
        var script = ScriptSource().Match(html);
        if (!EmbeddedWebApp.FromAssembly(typeof(HubServer).Assembly).IsBuilt)
        {
            // Built without `make web`: the page says so instead of failing obscurely.
            Assert.Contains(EmbeddedWebApp.NotBuiltMarker, html);
            return;
        }

        Assert.True(script.Success, $"index.html names no hashed script: {html}");
        using var asset = await RawHttp.SendAsync(hub, HttpMethod.Get, script.Groups[1].Value);
        Assert.Equal(200, (int)asset.StatusCode);
        Assert.StartsWith("text/javascript", asset.Content.Headers.ContentType!.ToString());
        Assert.Contains("immutable", asset.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task DeepLink_GetsTheSameIndexAsTheRoot()
    {
        using var root = await RawHttp.SendAsync(hub, HttpMethod.Get, "/");
        using var deep = await RawHttp.SendAsync(hub, HttpMethod.Get, "/rooms/some-room");

        Assert.Equal(200, (int)deep.StatusCode);
        Assert.Equal(await root.Content.ReadAsStringAsync(), await deep.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownApiRoute_KeepsThePlainText404()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/no-such-route");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("404 Not Found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApiRoute_StillAnswersJson()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"checks\"", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<script[^>]+src=\"(/assets/[^\"]+\\.js)\"")]
    private static partial Regex ScriptSource();
}
