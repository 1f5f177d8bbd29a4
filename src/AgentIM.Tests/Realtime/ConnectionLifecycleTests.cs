using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentIM.Tests.Realtime;

/// <summary>A client socket that closes clears its typing indicator in each room it joined (websocket.md §11).</summary>
public sealed class SocketCloseTypingTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task ClientClose_JoinedRooms_GetTypingFromClosedUser()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var first = await alice.CreateRoomAsync("one", bob.UserId);
        var second = await alice.CreateRoomAsync("two", bob.UserId);
        var third = await alice.CreateRoomAsync("three", bob.UserId);
        await using var watcher = await WsPeer.ClientAsync(bob, first, second, third);
        var leaving = await WsPeer.ClientAsync(alice, first, second);

        await leaving.DisposeAsync();
        var one = await watcher.WaitForAsync("server:typing", f => f["roomId"]!.GetValue<string>() == first);
        await watcher.WaitForAsync("server:typing", f => f["roomId"]!.GetValue<string>() == second);
        await watcher.PingAsync();

        Assert.Equal(alice.UserId, one["userId"]!.GetValue<string>());
        Assert.Equal(alice.Username, one["username"]!.GetValue<string>());
        Assert.Empty(watcher.All("server:typing", f => f["roomId"]!.GetValue<string>() == third));
    }
}

/// <summary>Stopping the hub: clients get SERVER_SHUTDOWN then close 1001; gateways close 1001 (websocket.md §5).</summary>
public sealed class ShutdownTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task AppStopping_ClientsToldAndClosed1001_GatewaysClosed1001()
    {
        var user = await TestUsers.CreateAsync(hub, "alice");
        await using var client = await WsPeer.ClientAsync(user);
        await using var gateway = await WsPeer.GatewayAsync(user, Unique.Id("gw"));

        hub.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await client.ExpectErrorAsync("SERVER_SHUTDOWN", "Server is shutting down");
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await gateway.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
    }
}

/// <summary>
/// Heartbeat (seed, case B25) with a 300 ms ping and a 1.5 s idle window: a peer that never answers pings is dropped
/// and leaves the connection gauge; a peer whose library answers pings stays connected through several windows.
/// </summary>
public sealed class HeartbeatTests(FastHeartbeatHubFixture hub) : IClassFixture<FastHeartbeatHubFixture>
{
    [Fact]
    public async Task SilentPeer_NeverAnswersPings_DroppedAndGaugeBackDown()
    {
        var user = await TestUsers.CreateAsync(hub, "silent");
        var baseline = await ClientGaugeAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(hub.BaseAddress.Host, hub.BaseAddress.Port);
        var stream = tcp.GetStream();
        await RawWebSocket.HandshakeAsync(stream, hub.BaseAddress.Authority);
        await stream.WriteAsync(RawWebSocket.MaskedTextFrame(
            $"{{\"type\":\"client:auth\",\"token\":\"{user.AccessToken}\",\"protocolVersion\":\"1\"}}"));

        // From here on the peer reads nothing and answers nothing.
        await Eventually.AssertAsync(async () => await ClientGaugeAsync() == baseline + 1, "the silent peer authenticated");
        await Eventually.AssertAsync(
            async () => await ClientGaugeAsync() == baseline, "the silent peer was dropped", TimeSpan.FromSeconds(30));

        // The hub's side is gone: draining what it sent ends with end-of-stream or a reset.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var ended = false;
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }

            ended = true;
        }
        catch (IOException)
        {
            ended = true;
        }

        Assert.True(ended);
    }

    [Fact]
    public async Task IdlePeer_LibraryAnswersPings_SurvivesSeveralIdleWindows()
    {
        var user = await TestUsers.CreateAsync(hub, "idle");
        var other = await TestUsers.CreateAsync(hub, "later");
        await using var client = await WsPeer.ClientAsync(user);

        // The client keeps a receive pending (that is when the library answers pings; cancelling it would abort the
        // socket) and sends nothing for four idle windows, until another user's presence arrives.
        var later = Task.Run(async () =>
        {
            await Task.Delay(4 * FastHeartbeatHubFixture.IdleTimeoutMs);
            return await WsPeer.ClientAsync(other);
        });
        var presence = await client.WaitForAsync(
            "server:presence", f => f["userId"]!.GetValue<string>() == other.UserId, TimeSpan.FromSeconds(30));
        await using var otherSocket = await later;

        Assert.True(presence["online"]!.GetValue<bool>());
        Assert.Equal(WebSocketState.Open, client.State);
        await client.PingAsync();
    }

    private async Task<int> ClientGaugeAsync()
    {
        var text = await hub.Http.GetStringAsync("/api/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith("agentim_ws_client_connections ", StringComparison.Ordinal));
        return (int)double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

}
