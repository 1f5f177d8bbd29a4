using System.Text.Json.Nodes;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Health;

/// <summary>GET /api/health (rest-api.md #1): no auth, a body without the data wrapper, 200 when every check passes.</summary>
public sealed class HealthEndpointTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Health_AllChecksPass_Is200WithTheUnwrappedShape()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(body["ok"]!.GetValue<bool>());
        Assert.False(body.ContainsKey("data"));
        Assert.Matches(Timestamps.IsoUtcMillis, body["timestamp"]!.GetValue<string>());
        Assert.True(body["checks"]!["database"]!.GetValue<bool>());
        Assert.True(body["checks"]!["filesystem"]!.GetValue<bool>());
        Assert.False(body["checks"]!.AsObject().ContainsKey("redis"));
    }
}

/// <summary>
/// A failing check turns the answer into 503 with that check false. The hub's first health request happens with its
/// upload folder already unusable, so no cached answer (of this hub or any other in the process) can hide it.
/// </summary>
public sealed class HealthFailureTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Health_UploadFolderUnusable_Is503WithFilesystemFalse()
    {
        Directory.Delete(hub.Config.UploadDir, recursive: true);
        await File.WriteAllTextAsync(hub.Config.UploadDir, "a file where the upload folder should be");
        try
        {
            using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.Equal(503, (int)response.StatusCode);
            Assert.False(body["ok"]!.GetValue<bool>());
            Assert.True(body["checks"]!["database"]!.GetValue<bool>());
            Assert.False(body["checks"]!["filesystem"]!.GetValue<bool>());
        }
        finally
        {
            File.Delete(hub.Config.UploadDir);
            Directory.CreateDirectory(hub.Config.UploadDir);
        }
    }
}
