using System.IO.Compression;
using System.Net;
using System.Text;
using AgentIM.Infrastructure.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentIM.Tests.Web;

/// <summary>
/// A Kestrel host on loopback that serves a small fake build through the same <see cref="WebClientHosting"/> code
/// the hub uses, next to an /api route and an /api catch-all like the hub's.
/// </summary>
public sealed class EmbeddedWebAppHost : IAsyncLifetime
{
    public const string Script = "console.log('embedded-app');";
    public const string IndexHtml = "<!doctype html><title>embedded-index</title><script src=\"/assets/index-abc123.js\"></script>";

    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    public static Dictionary<string, Func<Stream>> Files() => new()
    {
        ["index.html"] = () => new MemoryStream(Encoding.UTF8.GetBytes(IndexHtml)),
        ["favicon.svg"] = () => new MemoryStream("<svg/>"u8.ToArray()),
        ["assets/index-abc123.js"] = () => new MemoryStream(Encoding.UTF8.GetBytes(Script)),
        ["assets/index-abc123.js.gz"] = () => new MemoryStream(Gzip(Script)),
    };

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.UseWebClient(null, new EmbeddedWebApp(Files()));
        _app.MapGet("/api/ping", () => Results.Text("pong"));
        _app.MapGet("/healthz", () => Results.Text("healthy"));
        _app.Map("/api/{**rest}", () => Results.Text("404 Not Found", statusCode: 404));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // No automatic decompression: the tests look at what goes over the wire.
        Http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(address),
        };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}

public sealed class EmbeddedWebAppTests(EmbeddedWebAppHost host) : IClassFixture<EmbeddedWebAppHost>
{
    [Fact]
    public async Task HashedAsset_IsServedImmutableWithItsType()
    {
        using var response = await host.Http.GetAsync("/assets/index-abc123.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EmbeddedWebApp.ImmutableCacheControl, response.Headers.CacheControl!.ToString().Replace(" ", "").Replace(",", ", "));
        Assert.StartsWith("text/javascript", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(EmbeddedWebAppHost.Script, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HashedAsset_GoesGzippedToABrowserThatAcceptsIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/index-abc123.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        using var unzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        Assert.Equal(EmbeddedWebAppHost.Script, await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task HashedAsset_StaysPlainWhenGzipIsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/index-abc123.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip;q=0, identity");
        using var response = await host.Http.SendAsync(request);

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(EmbeddedWebAppHost.Script, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/rooms/abc123")]
    [InlineData("/settings?tab=password")]
    [InlineData("/login?error=state_mismatch")]
    public async Task ClientRoute_GetsIndexHtmlThatIsRevalidated(string path)
    {
        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType!.ToString());
        Assert.True(response.Headers.CacheControl!.NoCache, "index.html must be revalidated");
        Assert.Contains("embedded-index", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RootFile_IsServedButNotAsImmutable()
    {
        using var response = await host.Http.GetAsync("/favicon.svg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoCache);
    }

    [Fact]
    public async Task Revalidation_WithTheSameETag_AnswersNotModified()
    {
        using var first = await host.Http.GetAsync("/");
        var etag = first.Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var second = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MissingHashedAsset_Is404NotIndexHtml()
    {
        using var response = await host.Http.GetAsync("/assets/index-oldbuild.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("embedded-index", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("GET", "/uploads/missing.png")]
    [InlineData("GET", "/ws/other")]
    [InlineData("POST", "/settings")]
    [InlineData("DELETE", "/")]
    public async Task RequestOutsideTheApp_NeverGetsIndexHtml(string method, string path)
    {
        using var response = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("embedded-index", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/ping", "pong")]
    [InlineData("/healthz", "healthy")]
    public async Task MappedRoute_AnswersItself(string path, string body)
    {
        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Null(response.Headers.CacheControl);
    }

    [Fact]
    public async Task WithoutABuild_AClientRouteExplainsHowToMakeOne()
    {
        var empty = new EmbeddedWebApp(new Dictionary<string, Func<Stream>>());
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/rooms/x";
        context.Response.Body = new MemoryStream();
        var nextRan = false;

        await empty.ServeAsync(context, _ =>
        {
            nextRan = true;
            return Task.CompletedTask;
        });

        Assert.False(empty.IsBuilt);
        Assert.False(nextRan);
        Assert.StartsWith("text/html", context.Response.ContentType);
        Assert.Contains("make web", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }
}
