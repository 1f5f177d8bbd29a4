using System.Text.Json;

namespace AgentIM.Docs;

/// <summary>
/// <c>GET /api/docs/openapi.json</c> (rest-api.md #79): an OpenAPI 3.0.3 document of every route the app has,
/// built from the endpoint data sources on first request and written with <see cref="Utf8JsonWriter"/>.
/// </summary>
public static class OpenApiEndpoints
{
    public const string Path = "/api/docs/openapi.json";

    public static IEndpointRouteBuilder MapOpenApi(this IEndpointRouteBuilder app)
    {
        // Routes are fixed once the app runs, so each app writes its document once.
        byte[]? document = null;
        app.MapGet(Path, (EndpointDataSource dataSource) =>
            Results.Bytes(document ??= Write(RouteCatalog.Read(dataSource)), "application/json; charset=utf-8"));
        return app;
    }

    public static byte[] Write(IReadOnlyList<RouteInfo> routes)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.0.3");
            json.WriteStartObject("info");
            json.WriteString("title", "AgentIM hub API");
            json.WriteString("version", typeof(OpenApiEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            json.WriteString("description", "Generated from the routes the hub serves. Bodies use { ok, data } / { ok:false, error }.");
            json.WriteEndObject();
            json.WriteStartObject("paths");
            foreach (var byPath in routes.GroupBy(r => r.Path))
            {
                json.WriteStartObject(byPath.Key);
                foreach (var route in byPath)
                {
                    WriteOperation(json, route);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartObject("components");
            json.WriteStartObject("securitySchemes");
            json.WriteStartObject("bearer");
            json.WriteString("type", "http");
            json.WriteString("scheme", "bearer");
            json.WriteString("bearerFormat", "JWT");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteOperation(Utf8JsonWriter json, RouteInfo route)
    {
        json.WriteStartObject(route.Method.ToLowerInvariant());
        json.WriteString("operationId", $"{route.Method} {route.Path}");
        json.WriteString(
            "summary", RouteSummaries.TryGet(route.Method, route.Path, out var summary) ? summary : $"{route.Method} {route.Path}");
        json.WriteStartArray("tags");
        json.WriteStringValue(Tag(route.Path));
        json.WriteEndArray();
        if (route.Parameters.Count > 0)
        {
            json.WriteStartArray("parameters");
            foreach (var name in route.Parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("in", "path");
                json.WriteBoolean("required", true);
                json.WriteStartObject("schema");
                json.WriteString("type", "string");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartObject("responses");
        json.WriteStartObject("default");
        json.WriteString("description", "See rest-api.md for the body of each status");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The first segment after <c>/api</c> (or the top segment), e.g. <c>routers</c>.</summary>
    private static string Tag(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length switch
        {
            0 => "root",
            1 => segments[0],
            _ => segments[0] == "api" ? segments[1] : segments[0],
        };
    }
}
