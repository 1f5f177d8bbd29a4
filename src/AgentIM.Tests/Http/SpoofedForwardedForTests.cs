using System.Text.Json.Nodes;
using AgentIM.Tests.Audit;

namespace AgentIM.Tests.Http;

/// <summary>
/// Case B10: forged X-Forwarded-For / X-Real-IP from a peer that is not a trusted proxy change nothing, neither the
/// limit nor the address the audit log records (step 4).
/// </summary>
public sealed class SpoofedForwardedForTests(ForeignProxyHubFixture hub) : IClassFixture<ForeignProxyHubFixture>
{
    [Fact]
    public async Task Login_FortyAttemptsWithSpoofedAddresses_AreLimitedByThePeerAddress()
    {
        var statuses = new List<int>();
        for (var n = 1; n <= 40; n++)
        {
            using var response = await RawHttp.SendAsync(
                hub, HttpMethod.Post, "/api/auth/login", new { username = hub.Alice.Username, password = $"wrong-{n}" }, null,
                ("X-Forwarded-For", $"203.0.113.{n}"), ("X-Real-IP", $"203.0.113.{n}"));
            statuses.Add((int)response.StatusCode);
            if (n == 21)
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.False(body["ok"]!.GetValue<bool>());
                Assert.Equal("Too many requests", body["error"]!.GetValue<string>());
                var retryAfter = int.Parse(RawHttp.Header(response, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(retryAfter, 1, 60);
            }
        }

        Assert.All(statuses.Take(20), s => Assert.Equal(401, s));
        Assert.All(statuses.Skip(20), s => Assert.Equal(429, s));

        var failures = (await AuditRows.ForTargetAsync(hub, hub.Alice.UserId)).Where(r => r.Action == "login_failed").ToList();
        Assert.Equal(20, failures.Count);
        Assert.All(failures, r => Assert.Equal("127.0.0.1", r.IpAddress));
    }
}
