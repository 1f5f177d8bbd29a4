using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Tests.Support;

/// <summary>
/// A test's end of a WebSocket: sends JSON text, receives frames in order, and checks every frame it receives
/// against what the real web client and gateway accept (<see cref="WireRules"/>).
/// </summary>
public sealed class WsPeer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly List<JsonObject> _backlog = [];

    private WsPeer()
    {
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;
    public WebSocketState State => _socket.State;

    /// <summary>Every frame received so far, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    public static async Task<WsPeer> ConnectAsync(Uri baseAddress, string path)
    {
        var peer = new WsPeer();
        var uri = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = path }.Uri;
        await peer._socket.ConnectAsync(uri, CancellationToken.None);
        return peer;
    }

    /// <summary>A client socket that authenticated as <paramref name="session"/>.</summary>
    public static async Task<WsPeer> ClientAsync(Session session, params string[] joinRooms)
    {
        var peer = await ConnectAsync(session.Hub.BaseAddress, "/ws/client");
        await peer.SendAsync(new { type = "client:auth", token = session.AccessToken, protocolVersion = "1" });
        var result = await peer.WaitForAsync("server:auth_result");
        Assert.True(result["ok"]!.GetValue<bool>(), $"client auth failed: {result}");
        foreach (var room in joinRooms)
        {
            await peer.SendAsync(new { type = "client:join_room", roomId = room });
        }

        if (joinRooms.Length > 0)
        {
            // A ping round trip proves the joins (processed in order) are done.
            await peer.PingAsync();
        }

        return peer;
    }

    /// <summary>A gateway socket that authenticated as <paramref name="session"/> and registered the given agents (id, name).</summary>
    public static async Task<WsPeer> GatewayAsync(Session session, string gatewayId, params (string Id, string Name)[] agents)
    {
        var peer = await ConnectAsync(session.Hub.BaseAddress, "/ws/gateway");
        await peer.SendAsync(new
        {
            type = "gateway:auth",
            token = session.AccessToken,
            gatewayId,
            protocolVersion = "1",
            deviceInfo = new { hostname = "ci-box", platform = "linux", arch = "x64", nodeVersion = "v22.0.0" },
        });
        var result = await peer.WaitForAsync("server:gateway_auth_result");
        Assert.True(result["ok"]!.GetValue<bool>(), $"gateway auth failed: {result}");
        foreach (var (id, name) in agents)
        {
            await peer.SendAsync(new
            {
                type = "gateway:register_agent",
                agent = new { id, name, type = "generic", workingDirectory = "/srv/work", capabilities = Array.Empty<string>() },
            });
        }

        await peer.PingAsync("gateway:ping");
        return peer;
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendBytesAsync(byte[] bytes, bool endOfMessage = true) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

    /// <summary>A <c>client:send_message</c> with the contract's empty client-side mentions.</summary>
    public Task SendMessageAsync(string roomId, string content) =>
        SendAsync(new { type = "client:send_message", roomId, content, mentions = Array.Empty<string>() });

    /// <summary>Cuts the TCP connection at once, without a close handshake, as a crashed or unplugged peer does.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>The next <c>server:error</c>; it must carry <paramref name="code"/> (and the message, when given).</summary>
    public async Task<JsonObject> ExpectErrorAsync(string code, string? message = null)
    {
        var error = await WaitForAsync("server:error");
        Assert.Equal(code, error["code"]!.GetValue<string>());
        if (message is not null)
        {
            Assert.Equal(message, error["message"]!.GetValue<string>());
        }

        return error;
    }

    /// <summary>Sends a ping and waits for its pong: everything sent before it has been handled.</summary>
    public async Task PingAsync(string type = "client:ping")
    {
        var ts = Random.Shared.Next(1, int.MaxValue);
        await SendAsync(new { type, ts });
        await WaitForAsync("server:pong", f => f["ts"]!.GetValue<double>() == ts);
    }

    /// <summary>The next frame of a type (and matching a predicate); frames skipped on the way stay available.</summary>
    public async Task<JsonObject> WaitForAsync(string type, Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        var frame = await TryWaitForAsync(type, match, timeout ?? TimeSpan.FromSeconds(10));
        return frame ?? throw new Xunit.Sdk.XunitException(
            $"No {type} frame within the timeout. Received: {string.Join(" | ", Received.Select(f => f.ToJsonString()))}");
    }

    public async Task<JsonObject?> TryWaitForAsync(string type, Func<JsonObject, bool>? match, TimeSpan timeout)
    {
        bool Matches(JsonObject f) => f["type"]?.GetValue<string>() == type && (match is null || match(f));

        var index = _backlog.FindIndex(Matches);
        if (index >= 0)
        {
            var found = _backlog[index];
            _backlog.RemoveAt(index);
            return found;
        }

        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            JsonObject? frame;
            try
            {
                frame = await ReceiveAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            if (frame is null)
            {
                return null;
            }

            if (Matches(frame))
            {
                return frame;
            }

            _backlog.Add(frame);
        }
    }

    /// <summary>Waits for the server to close the socket; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await ReceiveAsync(cts.Token) is not null)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (WebSocketException)
        {
            return _socket.CloseStatus ?? (WebSocketCloseStatus)1006;
        }

        return _socket.CloseStatus;
    }

    /// <summary>Frames of a type received so far, including ones still in the backlog.</summary>
    public IEnumerable<JsonObject> All(string type) => Received.Where(f => f["type"]?.GetValue<string>() == type);

    /// <summary>Frames of a type received so far that match a predicate.</summary>
    public IEnumerable<JsonObject> All(string type, Func<JsonObject, bool> match) => All(type).Where(match);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
            else if (_socket.State == WebSocketState.CloseReceived)
            {
                // Answer the hub's close as browsers do, so it need not wait out its handshake timeout.
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }

    private async Task<JsonObject?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArraySegment<byte>(new byte[64 * 1024]);
        using var message = new MemoryStream();
        while (true)
        {
            if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
            {
                return null;
            }

            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer.Array!, 0, result.Count);
            if (result.EndOfMessage)
            {
                break;
            }
        }

        var frame = JsonNode.Parse(message.ToArray())!.AsObject();
        WireRules.AssertAcceptable(frame);
        Received.Add(frame);
        return frame;
    }
}
