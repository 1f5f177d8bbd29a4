using System.Text.Json;
using AgentIM.Cli;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Cli;

/// <summary>
/// `agentim capacity probe` with tiny numbers against a real hub: the report carries sane, non-zero figures, the
/// raised client limit takes effect through the settings API (no RATE_LIMITED), and the probe leaves nothing behind.
/// Behaviour only; speed is measured by bench/probe.sh, never asserted.
/// </summary>
public sealed class CapacityProbeTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Probe_TinyRun_ReportsNonZeroFiguresAndCleansUp()
    {
        var progress = new StringWriter();
        var probe = new CapacityProbe(
            new CapacityProbeOptions
            {
                HubUrl = hub.BaseAddress,
                AdminUsername = HubFixture.AdminUsername,
                AdminPassword = HubFixture.AdminPassword,
                Sockets = 20,
                Clients = 5,
                LoadSeconds = 1,
                WarmupSeconds = 0.5,
                SettleSeconds = 0.2,
            },
            progress);

        var report = await probe.RunAsync(CancellationToken.None);

        Assert.True(report.Idle.IdleRssBytes > 0, progress.ToString());
        Assert.Equal(20, report.Idle.Sockets);
        Assert.True(report.Idle.RssBeforeSocketsBytes > 0 && report.Idle.RssWithSocketsBytes > 0);
        var load = report.Load;
        Assert.Equal(5, load.Clients);
        Assert.True(load.MessagesStored > 0, $"no message came back: {load}\n{progress}");
        Assert.True(load.MessagesPerSecond > 0);
        // Every client joined the room, so each stored message reaches all five (give or take the window's edges).
        Assert.InRange(load.Deliveries, load.MessagesStored * 4, load.MessagesStored * 6);
        Assert.True(load.DeliveriesPerSecond > load.MessagesPerSecond);
        Assert.True(
            load.LatencyP50Ms > 0 && load.LatencyP99Ms >= load.LatencyP50Ms && load.LatencyMaxMs >= load.LatencyP99Ms,
            load.ToString());
        Assert.True(load.Errors == 0, $"the hub answered {load.Errors} errors, first {load.FirstError}");
        Assert.True(load.RssUnderLoadBytes > 0);

        var table = report.ToTable();
        Assert.Contains("deliveries/s", table, StringComparison.Ordinal);
        Assert.Contains(">= 60,000", table, StringComparison.Ordinal);
        Assert.Contains("<= 50 ms", table, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, CapacityProbeReportJson.Default.CapacityProbeReport));
        Assert.Equal(load.Deliveries, json.RootElement.GetProperty("load").GetProperty("deliveries").GetInt64());

        // Nothing left behind: the probe's users are gone and the settings it raised are back to their defaults.
        var admin = await hub.LoginAdminAsync();
        var (_, users) = await admin.GetAsync("/api/users?limit=500");
        Assert.DoesNotContain(
            users!["data"]!.AsArray(), u => u!["username"]!.GetValue<string>().StartsWith("probe-", StringComparison.Ordinal));
        var (_, settings) = await admin.GetAsync("/api/admin/settings");
        var rateLimits = settings!["data"]!["rateLimit"]!.AsArray();
        Assert.All(
            rateLimits.Where(s => s!["key"]!.GetValue<string>()
                is "rateLimit.client.max" or "rateLimit.client.window" or "rateLimit.http.enabled"),
            s => Assert.NotEqual("db", s!["source"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("http://10.0.0.8:3000")]
    [InlineData("http://192.0.2.1:3000")]
    [InlineData("http://example.com")]
    [InlineData("http://[2001:db8::1]:3000")]
    [InlineData("ftp://127.0.0.1/")]
    public void RequireLoopback_OtherHosts_Refused(string url) =>
        Assert.Throws<CapacityProbeException>(() => CapacityProbe.RequireLoopback(url));

    [Theory]
    [InlineData("http://127.0.0.1:3000")]
    [InlineData("http://127.8.9.10:3000")]
    [InlineData("http://[::1]:3000")]
    [InlineData("http://localhost:3000")]
    public void RequireLoopback_LoopbackHosts_Accepted(string url) =>
        Assert.Equal(url.TrimEnd('/') + "/", CapacityProbe.RequireLoopback(url).ToString());
}
