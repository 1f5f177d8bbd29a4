using AgentIM.Infrastructure.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Http;

/// <summary>WEB_DIR is read from the process environment, so these hubs start while no other test class runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WebDirCollection
{
    public const string Name = "WEB_DIR";
}

public sealed class WebClientHubFixture : HubFixture
{
    public string WebDir { get; } = Directory.CreateTempSubdirectory("agentim-web-").FullName;

    public override async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(WebDir, "assets"));
        await File.WriteAllTextAsync(Path.Combine(WebDir, "index.html"), "<!doctype html><title>spa-index</title>");
        await File.WriteAllTextAsync(Path.Combine(WebDir, "assets", "app.js"), "console.log('spa-asset');");
        Environment.SetEnvironmentVariable(WebClientHosting.EnvironmentVariable, WebDir);
        try
        {
            await base.InitializeAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(WebClientHosting.EnvironmentVariable, null);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(WebDir, recursive: true);
    }
}

[Collection(WebDirCollection.Name)]
public sealed class WebClientTests(WebClientHubFixture hub) : IClassFixture<WebClientHubFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/login?error=state_mismatch")]
    [InlineData("/auth/callback?provider=github")]
    [InlineData("/rooms/abc/deep/link")]
    public async Task Get_ClientRoute_ServesIndexHtml(string path)
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, path);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("spa-index", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_Asset_ServesTheFile()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/assets/app.js");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("spa-asset", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("GET", "/uploads/missing.png")]
    [InlineData("GET", "/ws/other")]
    [InlineData("POST", "/login")]
    public async Task Request_OutsideTheClient_NeverGetsIndexHtml(string method, string path)
    {
        using var response = await RawHttp.SendAsync(hub, new HttpMethod(method), path);

        Assert.NotEqual(200, (int)response.StatusCode);
        Assert.DoesNotContain("spa-index", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_ApiRoute_StillAnswersJson()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"checks\"", await response.Content.ReadAsStringAsync());
    }
}
