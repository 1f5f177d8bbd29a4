using AgentIM.Docs;
using AgentIM.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Http;

/// <summary>
/// The contract's 67 routes (rest-api.md less the optional extras) against the hub's router: every one is mapped,
/// and each has its OpenAPI summary. Which of them the run exercised is counted by <see cref="ContractCoverage"/>.
/// </summary>
public sealed class ContractRouteTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public void ContractList_Holds67DistinctRoutes()
    {
        Assert.Equal(67, ContractRoutes.All.Count);
        Assert.Equal(67, ContractRoutes.All.Select(ContractRoutes.Key).Distinct().Count());
        Assert.All(ContractRoutes.All, r => Assert.StartsWith("/api/", r[(r.IndexOf(' ') + 1)..]));
    }

    [Fact]
    public void EveryContractRoute_IsMappedByTheRouter()
    {
        var mapped = RouteCatalog.Read(hub.Services.GetRequiredService<EndpointDataSource>())
            .Select(r => ContractRoutes.Key(r.Method, r.Path))
            .ToHashSet(StringComparer.Ordinal);

        var missing = ContractRoutes.All.Where(r => !mapped.Contains(ContractRoutes.Key(r))).ToList();

        Assert.True(missing.Count == 0, "contract routes the hub does not serve: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryContractRoute_HasAHandWrittenSummary()
    {
        var unsummarized = ContractRoutes.All
            .Where(r => !RouteSummaries.TryGet(r[..r.IndexOf(' ')], r[(r.IndexOf(' ') + 1)..], out _))
            .ToList();

        Assert.Empty(unsummarized);
    }

    [Fact]
    public async Task ServedRequests_AreRecordedByMethodAndRouteTemplate()
    {
        var alice = await hub.CreateUserAsync("cover");
        var roomId = await alice.CreateRoomAsync("covered");
        await alice.GetAsync($"/api/rooms/{roomId}");

        var served = hub.Services.GetRequiredService<AgentIM.Metrics.HttpMetrics>().Routes
            .Select(r => ContractRoutes.Key(r.Key.Method, r.Key.Path))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains(ContractRoutes.Key("GET /api/rooms/{id}"), served);
        Assert.Contains(ContractRoutes.Key("POST /api/rooms"), served);
        Assert.DoesNotContain(ContractRoutes.Key("DELETE /api/rooms/{id}"), served);
    }
}
