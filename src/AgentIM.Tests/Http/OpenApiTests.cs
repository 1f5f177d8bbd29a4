using System.Text.Json.Nodes;
using AgentIM.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Http;

public sealed class OpenApiTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Document_ListsExactlyTheRoutesTheAppServes()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/docs/openapi.json");
        Assert.Equal(200, (int)response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("3.0.3", document["openapi"]!.GetValue<string>());

        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet();

        // Expected, from the raw route templates (a different reading than the generator's).
        var expected = new HashSet<string>();
        foreach (var endpoint in hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var raw = endpoint.RoutePattern.RawText!;
            if (raw.Contains("{**", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + raw.Trim('/');
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods.Count == 0 ? ["GET"] : methods)
            {
                expected.Add($"{method} {path}");
            }
        }

        Assert.Equal(expected.Order(), documented.Order());
        foreach (var route in new[]
                 {
                     "GET /api/routers", "POST /api/routers", "GET /api/routers/{id}", "PUT /api/routers/{id}",
                     "DELETE /api/routers/{id}", "POST /api/routers/{id}/test", "GET /api/admin/settings",
                     "PUT /api/admin/settings", "GET /api/docs/openapi.json", "POST /api/auth/login", "GET /ws/client",
                 })
        {
            Assert.Contains(route, documented);
        }

        Assert.DoesNotContain(documented, r => r.Contains("**", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Document_EveryOperationHasAHandWrittenSummaryAndPathParameters()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/docs/openapi.json");
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();

        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var summary = operation!["summary"]!.GetValue<string>();
                Assert.False(
                    summary.StartsWith(method.ToUpperInvariant() + " ", StringComparison.Ordinal), $"{method} {path} has no summary");
                var parameters = operation["parameters"]?.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList() ?? [];
                var inPath = path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')).ToList();
                Assert.Equal(inPath, parameters);
            }
        }

        Assert.Equal("Send a test prompt to a router's LLM", paths["/api/routers/{id}/test"]!["post"]!["summary"]!.GetValue<string>());
    }
}
