using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// WebSocket limits are runtime settings (behaviour.md §14.2, 5 s cache): an admin's change applies to sockets
/// already open, without a restart, and removing it brings the default back.
/// </summary>
public sealed class RuntimeLimitsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task MaxMessageSize_ChangedAtRunTime_AppliesToAnOpenSocketAndRevertsWhenRemoved()
    {
        await using var socket = await WsPeer.ClientAsync(await TestUsers.CreateAsync(hub, "alice"));
        var frame = "{\"type\":\"client:ping\",\"ts\":5,\"x\":\"" + new string('a', 4000) + "\"}";
        await socket.SendTextAsync(frame);
        Assert.Equal(5, (await socket.WaitForAsync("server:pong"))["ts"]!.GetValue<double>());

        await ChangeAsync("ws.maxMessageSize", 2048);
        await Eventually.AssertAsync(
            async () =>
            {
                await socket.SendTextAsync(frame);
                await socket.PingAsync();
                return socket.All("server:error").Any(e => e["code"]!.GetValue<string>() == "MESSAGE_TOO_LARGE");
            },
            "the smaller limit applies",
            TimeSpan.FromSeconds(15));

        await ChangeAsync("ws.maxMessageSize", null);
        await Eventually.AssertAsync(
            async () =>
            {
                var pongs = socket.All("server:pong", f => f["ts"]!.GetValue<double>() == 6).Count();
                await socket.SendTextAsync(frame.Replace("\"ts\":5", "\"ts\":6", StringComparison.Ordinal));
                await socket.PingAsync();
                return socket.All("server:pong", f => f["ts"]!.GetValue<double>() == 6).Count() > pongs;
            },
            "the default is back",
            TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task ClientRateLimit_LoweredAtRunTime_AppliesWithoutRestart()
    {
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var room = await bob.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(bob, room);

        await ChangeAsync("rateLimit.client.max", 2);
        try
        {
            for (var i = 0; i < 4; i++)
            {
                await socket.SendAsync(new { type = "client:typing", roomId = room });
            }

            await socket.ExpectErrorAsync("RATE_LIMITED", "Too many messages, please slow down");
        }
        finally
        {
            await ChangeAsync("rateLimit.client.max", null);
        }
    }

    private async Task ChangeAsync(string key, object? value)
    {
        var admin = await hub.LoginAdminAsync();
        var (status, body) = await admin.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, object?> { [key] = value } });
        Assert.True(status == 200, $"settings: {status} {body}");
    }
}
