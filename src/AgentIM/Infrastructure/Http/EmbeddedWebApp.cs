using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// The web app built from <c>web/</c> (<c>make web</c>) and embedded in the binary as resources named
/// <c>web/&lt;path&gt;</c>. Files under <c>/assets/</c> carry a content hash in their names and are served as immutable;
/// <c>index.html</c> and the other root files are revalidated on every load. A <c>.gz</c> twin, when the build made
/// one, goes to browsers that accept gzip. Any other client route gets <c>index.html</c> (the SPA routes itself);
/// without a build, a short page says how to make one.
/// </summary>
public sealed class EmbeddedWebApp
{
    public const string ResourcePrefix = "web/";
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string NotBuiltMarker = "web app not built";

    private const string NotBuiltPage =
        "<!doctype html><meta charset=\"utf-8\"><title>AgentIM</title>"
        + "<p>AgentIM: the " + NotBuiltMarker + ": run <code>make web</code> and rebuild the hub, "
        + "or point <code>WEB_DIR</code> at a built web client.</p>";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
        [".webmanifest"] = "application/manifest+json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".webp"] = "image/webp",
        [".woff2"] = "font/woff2",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    /// <param name="files">Paths relative to the build folder (<c>index.html</c>, <c>assets/x.js</c>, <c>assets/x.js.gz</c>).</param>
    public EmbeddedWebApp(IReadOnlyDictionary<string, Func<Stream>> files)
    {
        foreach (var (path, open) in files)
        {
            if (path.EndsWith(".gz", StringComparison.Ordinal))
            {
                continue;
            }

            files.TryGetValue(path + ".gz", out var openGzip);
            var urlPath = "/" + path.TrimStart('/');
            var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            var immutable = urlPath.StartsWith("/assets/", StringComparison.Ordinal);
            _assets[urlPath] = new Asset(open, Measure(open, out var etag), etag, openGzip,
                openGzip is null ? 0 : Measure(openGzip, out _), contentType, immutable);
        }
    }

    /// <summary>True when the build was embedded (there is an index.html to serve).</summary>
    public bool IsBuilt => _assets.ContainsKey("/index.html");

    /// <summary>The app embedded in <paramref name="assembly"/> (the hub's own, in production).</summary>
    public static EmbeddedWebApp FromAssembly(Assembly assembly)
    {
        var files = new Dictionary<string, Func<Stream>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                var resource = name;
                files[name[ResourcePrefix.Length..]] = () => assembly.GetManifestResourceStream(resource)!;
            }
        }

        return new EmbeddedWebApp(files);
    }

    /// <summary>Serves a client request that no route took; passes anything else on.</summary>
    public Task ServeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is not null)
        {
            return next(context);
        }

        var path = context.Request.Path.Value ?? "/";
        if (_assets.TryGetValue(path, out var asset) && path != "/index.html")
        {
            return SendAsync(context, asset);
        }

        // A hashed file that is not in this build (an old tab asking for the previous version) is a 404,
        // never index.html: the browser would cache HTML as a script for a year.
        if (path.StartsWith("/assets/", StringComparison.Ordinal))
        {
            return next(context);
        }

        if (_assets.TryGetValue("/index.html", out var index))
        {
            return SendAsync(context, index);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(NotBuiltPage);
    }

    private static async Task SendAsync(HttpContext context, Asset asset)
    {
        var response = context.Response;
        response.Headers.CacheControl = asset.Immutable ? ImmutableCacheControl : "no-cache";
        response.Headers.ETag = asset.ETag;
        if (asset.OpenGzip is not null)
        {
            response.Headers.Vary = HeaderNames.AcceptEncoding;
        }

        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var gzip = asset.OpenGzip is not null && AcceptsGzip(context.Request.Headers.AcceptEncoding);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = gzip ? asset.GzipLength : asset.Length;
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await using var stream = gzip ? asset.OpenGzip!() : asset.Open();
        await stream.CopyToAsync(response.Body, context.RequestAborted);
    }

    private static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var value in acceptEncoding)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                var token = part.Trim();
                if (token.StartsWith("gzip", StringComparison.OrdinalIgnoreCase)
                    && !token.Replace(" ", "", StringComparison.Ordinal).EndsWith("q=0", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Length and a strong ETag (a content hash), read once at start-up; the files are small.</summary>
    private static long Measure(Func<Stream> open, out string etag)
    {
        using var stream = open();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        long length = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
        }

        etag = "\"" + Convert.ToHexStringLower(sha.GetHashAndReset(), 0, 12) + "\"";
        return length;
    }

    private sealed record Asset(
        Func<Stream> Open, long Length, string ETag, Func<Stream>? OpenGzip, long GzipLength, string ContentType, bool Immutable);
}
