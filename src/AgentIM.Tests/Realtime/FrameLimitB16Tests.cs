using System.Net.WebSockets;
using System.Text;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Case B16: oversized, deeply nested and very wide frames on both sockets. Limits apply before parsing (and before
/// auth), bad frames get their error, and afterwards the socket (or at least the hub) still answers a ping.
/// </summary>
public sealed class FrameLimitB16Tests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const int StreamChunkBytes = 50 * 1024;
    private const long MaxStreamBytes = 10L * 1024 * 1024;

    [Fact]
    public async Task Frame_Depth16_JsonTooDeepAndSocketStaysUsable()
    {
        await using var socket = await AuthenticatedAsync();

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":1,\"x\":[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]}");

        await socket.ExpectErrorAsync("JSON_TOO_DEEP", "JSON nesting depth exceeded");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_Depth15_Accepted()
    {
        await using var socket = await AuthenticatedAsync();

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":7,\"x\":[[[[[[[[[[[[[[0]]]]]]]]]]]]]]}");

        Assert.Equal(7, (await socket.WaitForAsync("server:pong"))["ts"]!.GetValue<double>());
        Assert.Empty(socket.All("server:error"));
    }

    [Fact]
    public async Task Frame_Depth60000_JsonTooDeepWithoutCrash()
    {
        await using var socket = await AuthenticatedAsync();

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":1,\"x\":" + new string('[', 60_000) + new string(']', 60_000) + "}");

        await socket.ExpectErrorAsync("JSON_TOO_DEEP", "JSON nesting depth exceeded");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_Depth60000BeforeAuth_JsonTooDeep()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");

        await socket.SendTextAsync("{\"type\":\"client:auth\",\"token\":" + new string('[', 60_000) + "}");

        await socket.ExpectErrorAsync("JSON_TOO_DEEP");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_ArrayOf5000_JsonCollectionSizeExceeded()
    {
        await using var socket = await AuthenticatedAsync();

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":1,\"x\":[" + string.Join(',', Enumerable.Repeat("0", 5000)) + "]}");

        await socket.ExpectErrorAsync("JSON_TOO_DEEP", "JSON collection size exceeded");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_ObjectWith1001Keys_JsonCollectionSizeExceeded()
    {
        await using var socket = await AuthenticatedAsync();
        var keys = string.Join(',', Enumerable.Range(0, 999).Select(i => $"\"k{i}\":0"));

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":1," + keys + "}");

        await socket.ExpectErrorAsync("JSON_TOO_DEEP", "JSON collection size exceeded");
        await socket.PingAsync();
    }

    [Fact]
    public async Task Frame_5MBBeforeAuth_ClosedMessageTooBig()
    {
        await using var socket = await WsPeer.ConnectAsync(hub.BaseAddress, "/ws/client");
        var frame = Encoding.UTF8.GetBytes("{\"type\":\"client:auth\",\"token\":\"" + new string('a', 5 * 1024 * 1024) + "\"}");

        var sending = SendIgnoringResetAsync(socket, frame);
        var status = await socket.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await sending;

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        await AssertHubAnswersAsync();
    }

    [Fact]
    public async Task Frame_FarOverLimitAfterAuth_ClosedMessageTooBig()
    {
        await using var socket = await AuthenticatedAsync();
        var frame = Encoding.UTF8.GetBytes("{\"type\":\"client:ping\",\"ts\":1,\"x\":\"" + new string('a', 16 * 1024 * 1024) + "\"}");

        var sending = SendIgnoringResetAsync(socket, frame);
        var status = await socket.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await sending;

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        await AssertHubAnswersAsync();
    }

    [Fact]
    public async Task SendMessage_129KBContent_MessageTooLargeAndSocketStaysOpen()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendMessageAsync(room, new string('a', 129 * 1024));

        await socket.ExpectErrorAsync("MESSAGE_TOO_LARGE");
        await socket.SendMessageAsync(room, "small");
        Assert.Equal("small", (await socket.WaitForAsync("server:new_message"))["message"]!["content"]!.GetValue<string>());
        Assert.Single(socket.All("server:new_message"));
    }

    [Fact]
    public async Task Frame_Over512KiBAfterAuth_MessageTooLargeAndSocketStaysOpen()
    {
        await using var socket = await AuthenticatedAsync();

        await socket.SendTextAsync("{\"type\":\"client:ping\",\"ts\":1,\"x\":\"" + new string('a', 512 * 1024) + "\"}");

        await socket.ExpectErrorAsync("MESSAGE_TOO_LARGE", "Message exceeds maximum size");
        await socket.PingAsync();
        Assert.DoesNotContain(socket.All("server:pong"), f => f["ts"]!.GetValue<double>() == 1);
    }

    [Fact]
    public async Task Frame_Exactly512KiB_Accepted()
    {
        await using var socket = await AuthenticatedAsync();
        const string head = "{\"type\":\"client:ping\",\"ts\":3,\"x\":\"";
        const string tail = "\"}";

        await socket.SendTextAsync(head + new string('a', (512 * 1024) - head.Length - tail.Length) + tail);

        Assert.Equal(3, (await socket.WaitForAsync("server:pong"))["ts"]!.GetValue<double>());
    }

    [Fact]
    public async Task GatewayFrame_Depth120000_DroppedAndSocketStaysUsable()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));
        var deep = new string('[', 120_000) + new string(']', 120_000);

        await gateway.SendTextAsync("{\"type\":\"gateway:ping\",\"ts\":1,\"x\":" + deep + "}");

        await gateway.PingAsync("gateway:ping");
        Assert.DoesNotContain(gateway.All("server:pong"), f => f["ts"]!.GetValue<double>() == 1);
    }

    [Fact]
    public async Task GatewayStream_11MBForOneMessageId_OneStreamTooLargeAndOtherIdsStillStream()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var big = Unique.Id("resp-big");
        var other = Unique.Id("resp-other");
        var content = new string('x', StreamChunkBytes);
        const int chunkCount = 11 * 1024 * 1024 / StreamChunkBytes;

        // The client reads while the gateway writes: a client that stops reading is cut off by design (case B25).
        var otherArrived = client.WaitForAsync(
            "server:message_chunk", f => f["messageId"]!.GetValue<string>() == other, TimeSpan.FromSeconds(60));
        for (var i = 0; i < chunkCount; i++)
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, big, content));
        }

        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, other, "still streaming"));
        await stage.Gateway.PingAsync("gateway:ping");
        await otherArrived;
        await client.PingAsync();

        var error = Assert.Single(stage.Gateway.All("server:error"));
        Assert.Equal("STREAM_TOO_LARGE", error["code"]!.GetValue<string>());
        var forwarded = client.All("server:message_chunk", f => f["messageId"]!.GetValue<string>() == big).Count();
        Assert.Equal((int)(MaxStreamBytes / StreamChunkBytes), forwarded);
        await client.PingAsync();
        await stage.Gateway.PingAsync("gateway:ping");
    }

    private async Task<WsPeer> AuthenticatedAsync() => await WsPeer.ClientAsync(await TestUsers.SharedAsync(hub));

    private async Task AssertHubAnswersAsync()
    {
        await using var other = await AuthenticatedAsync();
        await other.PingAsync();
    }

    private static object Chunk(string roomId, string agentId, string messageId, string content) =>
        new { type = "gateway:message_chunk", roomId, agentId, messageId, chunk = new { type = "text", content } };

    /// <summary>Sends a frame the hub will refuse midway; the hub may reset the connection under the sender.</summary>
    private static async Task SendIgnoringResetAsync(WsPeer socket, byte[] frame)
    {
        try
        {
            await socket.SendBytesAsync(frame);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
