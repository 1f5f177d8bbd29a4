using System.Diagnostics;
using System.Net.WebSockets;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Graceful shutdown (issue #4, websocket.md §5): a reply still streaming when the hub stops is ended with an error
/// chunk and stored with its text so far; then clients hear SERVER_SHUTDOWN and every socket closes with 1001, all
/// within 10 s; a new upgrade is refused meanwhile.
/// </summary>
public sealed class GracefulShutdownTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Stop_StreamInFlight_ErrorChunkStoredMessageThenShutdownNoticeWithinTenSeconds()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var reply = Unique.Id("resp");
        foreach (var piece in new[] { "half ", "an answer" })
        {
            await stage.Gateway.SendAsync(new
            {
                type = "gateway:message_chunk", roomId = stage.RoomId, agentId, messageId = reply,
                chunk = new { type = "text", content = piece },
            });
        }

        await client.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "an answer");
        var clock = Stopwatch.StartNew();

        hub.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var error = await client.WaitForAsync("server:message_chunk", f => f["chunk"]!["type"]!.GetValue<string>() == "error");
        Assert.Equal(reply, error["messageId"]!.GetValue<string>());
        var stored = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.Equal(reply, stored["id"]!.GetValue<string>());
        Assert.StartsWith("half an answer", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await client.ExpectErrorAsync("SERVER_SHUTDOWN", "Server is shutting down");
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await stage.Gateway.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {clock.Elapsed}");
        var frames = client.Received.Select(f => f["type"]!.GetValue<string>()).ToList();
        Assert.True(frames.LastIndexOf("server:message_complete") < frames.IndexOf("server:error"), string.Join(",", frames));
        Assert.Equal(1, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM messages WHERE id = $1 AND sender_id = $2 AND content LIKE 'half an answer%'", reply, agentId));
    }
}
