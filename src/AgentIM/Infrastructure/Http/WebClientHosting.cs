using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.FileProviders;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// Serves a built web client from <c>WEB_DIR</c> (rest-api.md §15): its files as static assets, and
/// <c>index.html</c> for every other GET that no route took, outside <c>/api/</c>, <c>/ws/</c> and <c>/uploads/</c>
/// (the SPA's own routes such as <c>/login</c> and <c>/auth/callback</c>). Without WEB_DIR the same paths get the web
/// app embedded in the binary (<see cref="EmbeddedWebApp"/>).
/// </summary>
public static class WebClientHosting
{
    public const string EnvironmentVariable = "WEB_DIR";

    /// <summary>Reads WEB_DIR from the process environment (systemd's EnvironmentFile puts it there).</summary>
    public static WebApplication UseWebClient(this WebApplication app) =>
        app.UseWebClient(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static WebApplication UseWebClient(this WebApplication app, string? webDir) =>
        app.UseWebClient(webDir, EmbeddedWebApp.FromAssembly(typeof(WebClientHosting).Assembly));

    public static WebApplication UseWebClient(this WebApplication app, string? webDir, EmbeddedWebApp embedded)
    {
        if (string.IsNullOrWhiteSpace(webDir))
        {
            app.UseWhen(IsClientRequest, branch => branch.Use(next => context => embedded.ServeAsync(context, next)));
            return app;
        }

        var root = Path.GetFullPath(webDir);
        if (!Directory.Exists(root))
        {
            throw new Config.ConfigException(EnvironmentVariable, $"names a directory that does not exist: {root}");
        }

        var files = new PhysicalFileProvider(root);
        app.UseWhen(IsClientRequest, branch =>
        {
            branch.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            branch.Use(next => context => ServeIndexAsync(context, files, next));
        });
        return app;
    }

    private static bool IsClientRequest(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            return false;
        }

        var path = context.Request.Path.Value ?? "/";
        return !StartsWithSegment(path, "/api") && !StartsWithSegment(path, "/ws") && !StartsWithSegment(path, "/uploads")
            && !HasDotSegments(context.Features.Get<IHttpRequestFeature>()?.RawTarget);
    }

    /// <summary>
    /// Browsers resolve <c>.</c> and <c>..</c> before they send a URL, so a request that still carries them (plain or
    /// percent-encoded) is a traversal probe such as <c>/uploads/../../etc/passwd</c>, which the server normalizes to a
    /// path outside <c>/uploads</c>. It gets a 404, not the app's page with a 200.
    /// </summary>
    private static bool HasDotSegments(string? rawTarget)
    {
        if (string.IsNullOrEmpty(rawTarget))
        {
            return false;
        }

        var end = rawTarget.IndexOfAny(['?', '#']);
        var rawPath = Uri.UnescapeDataString(end < 0 ? rawTarget : rawTarget[..end]);
        return rawPath.Split('/').Any(segment => segment is "." or "..");
    }

    private static bool StartsWithSegment(string path, string segment) =>
        path.Equals(segment, StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(segment + "/", StringComparison.OrdinalIgnoreCase);

    private static async Task ServeIndexAsync(HttpContext context, IFileProvider files, RequestDelegate next)
    {
        // A route that matched (health, metrics, …) answers itself; only the leftovers get the client.
        var index = files.GetFileInfo("index.html");
        if (context.GetEndpoint() is not null || !index.Exists)
        {
            await next(context);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = index.Length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await context.Response.SendFileAsync(index, context.RequestAborted);
    }
}
