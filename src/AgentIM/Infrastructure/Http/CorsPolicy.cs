using AgentIM.Infrastructure.Config;
using AgentIM.Settings;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// CORS with credentials (rest-api.md §0.4 point 2), origins from the live setting <c>cors.origin</c>: a listed
/// request origin is echoed; an unlisted one gets the first listed origin (so the browser refuses the response);
/// with none configured, development reflects the request origin and production answers none. Preflights end here.
/// </summary>
public sealed class CorsPolicy(RequestDelegate next, RuntimeSettings settings, HubConfig config)
{
    private const string AllowedMethods = "GET,HEAD,PUT,POST,DELETE,PATCH";

    public async Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            await next(context);
            return;
        }

        var snapshot = await settings.GetAsync(context.RequestAborted);
        var allowed = AllowedOrigin(origin, snapshot.CorsOrigins, config.IsProduction);
        var headers = context.Response.Headers;
        if (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.AccessControlRequestMethod.Count > 0)
        {
            AddOriginHeaders(headers, allowed);
            headers.AccessControlAllowMethods = AllowedMethods;
            var requested = context.Request.Headers.AccessControlRequestHeaders.ToString();
            if (requested.Length > 0)
            {
                headers.AccessControlAllowHeaders = requested;
                headers.Append("Vary", "Access-Control-Request-Headers");
            }

            headers.AccessControlMaxAge = "600";
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        // Added as the response starts, so an error rendered after Response.Clear() is readable by the page too.
        context.Response.OnStarting(static state =>
        {
            var (response, value) = ((HttpResponse, string?))state;
            AddOriginHeaders(response.Headers, value);
            return Task.CompletedTask;
        }, (context.Response, allowed));
        await next(context);
    }

    private static void AddOriginHeaders(IHeaderDictionary headers, string? allowed)
    {
        headers.Append("Vary", "Origin");
        if (allowed is not null)
        {
            headers.AccessControlAllowOrigin = allowed;
            headers.AccessControlAllowCredentials = "true";
        }
    }

    public static string? AllowedOrigin(string requestOrigin, IReadOnlyList<string> configured, bool production)
    {
        if (configured.Count == 0)
        {
            return production ? null : requestOrigin;
        }

        foreach (var candidate in configured)
        {
            if (string.Equals(candidate, requestOrigin, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return configured[0];
    }
}
