using Microsoft.AspNetCore.Routing.Patterns;

namespace AgentIM.Docs;

/// <summary>One route the hub serves: an HTTP method and its path in OpenAPI form (<c>/api/routers/{id}</c>).</summary>
public sealed record RouteInfo(string Method, string Path, IReadOnlyList<string> Parameters);

/// <summary>
/// The routes the app really has, read from the endpoint data sources at run time (no reflection, AOT-safe).
/// Catch-all routes (the plain-text API 404) are not operations and are left out. A route mapped without a method
/// (the WebSocket upgrades) is listed as GET, the only method that can upgrade.
/// </summary>
public static class RouteCatalog
{
    public static IReadOnlyList<RouteInfo> Read(EndpointDataSource dataSource)
    {
        var routes = new SortedSet<(string Path, string Method)>();
        var parameters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var endpoint in dataSource.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.Parameters.Any(p => p.IsCatchAll))
            {
                continue;
            }

            var path = ToOpenApiPath(pattern);
            parameters[path] = pattern.Parameters.Select(p => p.Name).ToList();
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                routes.Add((path, method.ToUpperInvariant()));
            }
        }

        return routes.Select(r => new RouteInfo(r.Method, r.Path, parameters[r.Path])).ToList();
    }

    private static string ToOpenApiPath(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }
}
