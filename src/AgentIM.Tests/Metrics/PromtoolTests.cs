using System.Diagnostics;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Metrics;

/// <summary>
/// Case B21 and issue #7: the hub's /api/metrics output, after odd paths and real traffic, passes
/// <c>promtool check metrics</c> (Debian package <c>prometheus</c>, installed by scripts/services.sh). A missing
/// promtool fails the test: it is a tool the test script installs, never a reason to skip.
/// </summary>
public sealed class PromtoolTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Metrics_AfterOddPathsAndTraffic_PassPromtoolCheckMetrics()
    {
        var alice = await hub.CreateUserAsync("prom");
        var roomId = await alice.CreateRoomAsync("prom-room");
        await alice.GetAsync($"/api/rooms/{roomId}");
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        await client.SendMessageAsync(roomId, "counted");
        await client.WaitForAsync("server:new_message");
        foreach (var path in new[] { "/api/x\"y", "/api/a\\b", "/api/%0Anl", $"/api/nope/{Guid.NewGuid()}" })
        {
            using var _ = await hub.Http.GetAsync(path);
        }

        var text = await hub.Http.GetStringAsync("/api/metrics");
        var (exitCode, output) = await RunPromtoolAsync(text);

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics exited {exitCode}:\n{output}");
    }

    [Fact]
    public async Task Promtool_BrokenExposition_IsRejected()
    {
        // The same check must be able to fail: a histogram without +Inf and a label with a raw newline.
        const string broken = "# TYPE x histogram\nx_bucket{le=\"1\"} 1\nx_sum 1\nx_count 1\ny{path=\"a\nb\"} 1\n";

        var (exitCode, _) = await RunPromtoolAsync(broken);

        Assert.NotEqual(0, exitCode);
    }

    private static async Task<(int ExitCode, string Output)> RunPromtoolAsync(string exposition)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"promtool is not installed ({e.Message}); run scripts/services.sh start (package prometheus)");
            throw;
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(exposition);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
