using System.Globalization;
using System.Net.Sockets;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>Runs alone: it counts the process's file descriptors, which other test classes would disturb.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DescriptorCountCollection
{
    public const string Name = "descriptor count";
}

/// <summary>
/// Case B25 with the heartbeat shortened (300 ms pings, 1.5 s idle window): a peer that stops answering is reaped,
/// announced offline and counted as a dead peer; a reset peer is cleaned up the same way; and thousands of
/// connect/auth/reset cycles leave no descriptor behind.
/// </summary>
[Collection(DescriptorCountCollection.Name)]
public sealed class ConnectionReapingB25Tests(FastHeartbeatHubFixture hub) : IClassFixture<FastHeartbeatHubFixture>
{
    [Fact]
    public async Task B25_SilentPeer_ReapedAnnouncedOfflineAndCountedDead()
    {
        var silent = await TestUsers.CreateAsync(hub, "silent");
        var watcherUser = await TestUsers.CreateAsync(hub, "watcher");
        await using var watcher = await WsPeer.ClientAsync(watcherUser);
        var deadBefore = await MetricAsync("agentim_ws_dead_peers_total");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(hub.BaseAddress.Host, hub.BaseAddress.Port);
        var stream = tcp.GetStream();
        await RawWebSocket.HandshakeAsync(stream, hub.BaseAddress.Authority);
        await stream.WriteAsync(RawWebSocket.MaskedTextFrame($"{{\"type\":\"client:auth\",\"token\":\"{silent.AccessToken}\"}}"));

        // From here on the peer reads nothing and answers no ping, as a frozen laptop does.
        await watcher.WaitForAsync(
            "server:presence", f => f["userId"]!.GetValue<string>() == silent.UserId && f["online"]!.GetValue<bool>());
        var offline = await watcher.WaitForAsync(
            "server:presence",
            f => f["userId"]!.GetValue<string>() == silent.UserId && !f["online"]!.GetValue<bool>(),
            TimeSpan.FromSeconds(30));

        Assert.NotNull(offline);
        await Eventually.AssertAsync(
            async () => await MetricAsync("agentim_ws_dead_peers_total") > deadBefore, "the silent peer is counted as dead");
        await watcher.PingAsync();
    }

    [Fact]
    public async Task B25_ResetPeer_CleanedUpAndCountedDead()
    {
        var user = await TestUsers.CreateAsync(hub, "reset");
        var baseline = await MetricAsync("agentim_ws_client_connections");
        var deadBefore = await MetricAsync("agentim_ws_dead_peers_total");
        var peer = await WsPeer.ClientAsync(user);
        Assert.Equal(baseline + 1, await MetricAsync("agentim_ws_client_connections"));

        peer.Abort();

        await Eventually.AssertAsync(async () => await MetricAsync("agentim_ws_client_connections") == baseline, "the gauge is back");
        await Eventually.AssertAsync(async () => await MetricAsync("agentim_ws_dead_peers_total") > deadBefore, "the reset is counted");
    }

    [Fact]
    public async Task B25_ManyConnectAuthResetCycles_NoDescriptorLeakAndNewConnectionsAccepted()
    {
        const int Cycles = 600;
        const int Batch = 50;
        const int Margin = 40;
        var user = await TestUsers.CreateAsync(hub, "cycler");
        await using (var warm = await WsPeer.ClientAsync(user))
        {
            await warm.PingAsync();
        }

        await Task.Delay(500);
        var baseline = OpenDescriptors();

        for (var done = 0; done < Cycles; done += Batch)
        {
            await Task.WhenAll(Enumerable.Range(0, Batch).Select(async _ =>
            {
                var peer = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");
                await peer.SendAsync(new { type = "client:auth", token = user.AccessToken });
                await peer.WaitForAsync("server:auth_result");
                peer.Abort();
                await peer.DisposeAsync();
            }));
        }

        await Eventually.AssertAsync(
            () => Task.FromResult(OpenDescriptors() <= baseline + Margin),
            $"descriptors back near {baseline} (now {OpenDescriptors()})",
            TimeSpan.FromSeconds(60));
        await using var fresh = await WsPeer.ClientAsync(user);
        await fresh.PingAsync();
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private async Task<double> MetricAsync(string name)
    {
        var text = await hub.Http.GetStringAsync("/api/metrics");
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

}
