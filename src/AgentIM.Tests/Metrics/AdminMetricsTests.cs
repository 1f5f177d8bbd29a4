using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Metrics;

/// <summary>GET /api/admin/metrics (rest-api.md #3): the JSON view for admins, with the contract's 401 and 403 texts.</summary>
public sealed class AdminMetricsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task AdminMetrics_Admin_GetsTheContractShape()
    {
        var admin = await hub.LoginAdminAsync();
        await using var client = await WsPeer.ClientAsync(admin);
        await admin.GetAsync("/api/rooms");

        var (status, body) = await admin.GetAsync("/api/admin/metrics");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var data = body["data"]!;
        Assert.True(data["connections"]!["clients"]!.GetValue<int>() >= 1);
        Assert.True(data["connections"]!["onlineUsers"]!.GetValue<int>() >= 1);
        Assert.NotNull(data["connections"]!["gateways"]);
        Assert.NotNull(data["connections"]!["connectedAgents"]);
        Assert.True(data["process"]!["uptimeSeconds"]!.GetValue<double>() >= 0);
        Assert.True(data["process"]!["heapUsedBytes"]!.GetValue<long>() > 0);
        Assert.True(data["process"]!["rssBytes"]!.GetValue<long>() > 0);
        Assert.False(data["infrastructure"]!["redisEnabled"]!.GetValue<bool>());
        Assert.NotNull(data["activity"]!["messagesTotal"]!["agentim_messages_total{type=\"user\"}"]);
        Assert.NotNull(data["activity"]!["activeRooms"]);
        Assert.Matches(Timestamps.IsoUtcMillis, data["timestamp"]!.GetValue<string>());

        var rooms = data["performance"]!["httpRequest"]!["method=\"GET\",path=\"/api/rooms/\""]
            ?? data["performance"]!["httpRequest"]!["method=\"GET\",path=\"/api/rooms\""];
        Assert.NotNull(rooms);
        var buckets = rooms!["buckets"]!.AsArray();
        var counts = rooms["counts"]!.AsArray();
        Assert.Equal(buckets.Count + 1, counts.Count);
        Assert.Equal(rooms["count"]!.GetValue<long>(), counts.Sum(c => c!.GetValue<long>()));
        Assert.True(rooms["count"]!.GetValue<long>() >= 1);
        foreach (var percentile in new[] { "p50", "p95", "p99" })
        {
            Assert.Contains(buckets, b => b!.GetValue<double>() == rooms[percentile]!.GetValue<double>());
        }

        Assert.NotNull(data["performance"]!["agentResponse"]!["buckets"]);
    }

    [Fact]
    public async Task AdminMetrics_NoToken_Is401Unauthorized()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/admin/metrics");
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(401, (int)response.StatusCode);
        Assert.False(body["ok"]!.GetValue<bool>());
        Assert.Equal("Unauthorized", body["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminMetrics_RegularUser_Is403Forbidden()
    {
        var bob = await hub.CreateUserAsync("bob");

        var (status, body) = await bob.GetAsync("/api/admin/metrics");

        Assert.Equal(403, status);
        Assert.Equal("Forbidden", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminMetrics_LoggedOutToken_IsTokenHasBeenRevoked()
    {
        var admin = await hub.LoginAdminAsync();
        var (logout, _) = await admin.PostAsync("/api/auth/logout", new { });
        Assert.Equal(200, logout);

        var (status, body) = await admin.GetAsync("/api/admin/metrics");

        Assert.Equal(401, status);
        Assert.Equal("Token has been revoked", body!["error"]!.GetValue<string>());
    }
}
