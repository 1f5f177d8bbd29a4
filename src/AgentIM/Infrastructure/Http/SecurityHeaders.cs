using AgentIM.Infrastructure.Config;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// Security headers and the <c>X-Request-ID</c> on every response (rest-api.md §0.4 points 1 and 3), added as the
/// response starts so that an error
/// rendered after <c>Response.Clear()</c> carries them too. A header a route set itself (the stricter CSP of
/// <c>/uploads</c>) is kept. Production adds HSTS, a CSP for the web client and a Permissions-Policy.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, HubConfig config)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
        + "font-src 'self' data:; connect-src 'self' ws: wss:; media-src 'self' blob:; object-src 'none'; "
        + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    private static readonly KeyValuePair<string, string>[] Always =
    [
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "SAMEORIGIN"),
        new("Referrer-Policy", "no-referrer"),
        new("X-XSS-Protection", "0"),
        new("X-DNS-Prefetch-Control", "off"),
        new("X-Download-Options", "noopen"),
        new("X-Permitted-Cross-Domain-Policies", "none"),
        new("Cross-Origin-Resource-Policy", "same-origin"),
        new("Cross-Origin-Opener-Policy", "same-origin"),
        new("Origin-Agent-Cluster", "?1"),
    ];

    private static readonly KeyValuePair<string, string>[] ProductionOnly =
    [
        new("Strict-Transport-Security", "max-age=15552000; includeSubDomains"),
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ];

    public const string RequestIdHeader = "X-Request-ID";
    private const int MaxRequestIdLength = 32;

    public Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestId(context.Request.Headers[RequestIdHeader].ToString());
        context.Response.OnStarting(static state =>
        {
            var (response, production, id) = ((HttpResponse, bool, string))state;
            response.Headers[RequestIdHeader] = id;
            Add(response.Headers, Always);
            if (production)
            {
                Add(response.Headers, ProductionOnly);
            }

            return Task.CompletedTask;
        }, (context.Response, config.IsProduction, requestId));
        return next(context);
    }

    /// <summary>
    /// The caller's request id, cut to 32 characters and to printable ASCII (it is echoed into a header and logs),
    /// or a fresh 12-character id when it sent none (rest-api.md §0.4 point 3).
    /// </summary>
    private static string RequestId(string incoming)
    {
        if (incoming.Length == 0)
        {
            return Ids.New(12);
        }

        var kept = new string(incoming.Where(c => c is > ' ' and < (char)127).Take(MaxRequestIdLength).ToArray());
        return kept.Length > 0 ? kept : Ids.New(12);
    }

    private static void Add(IHeaderDictionary headers, KeyValuePair<string, string>[] values)
    {
        foreach (var (name, value) in values)
        {
            headers.TryAdd(name, value);
        }
    }
}
