using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AgentIM.Cli;

/// <summary>
/// One client socket of the probe on <c>/ws/client</c>: authenticates in band like the web client, then reads whole
/// frames into a buffer of its own. One reader and one writer at a time, as <see cref="ClientWebSocket"/> allows.
/// </summary>
internal sealed class CapacityProbeSocket : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private byte[] _buffer;

    private CapacityProbeSocket(int bufferSize)
    {
        _buffer = new byte[bufferSize];
    }

    public WebSocketState State => _socket.State;

    /// <summary>Connects and authenticates with <paramref name="token"/>; throws with the hub's reason when refused.</summary>
    public static async Task<CapacityProbeSocket> OpenAsync(
        Uri socketUri, HttpMessageInvoker invoker, string token, int bufferSize, CancellationToken cancellationToken)
    {
        var socket = new CapacityProbeSocket(bufferSize);
        try
        {
            await socket._socket.ConnectAsync(socketUri, invoker, cancellationToken);
            await socket.SendAsync(
                new ProbeAuthFrame("client:auth", token, "1"), CapacityProbeJson.Default.ProbeAuthFrame, cancellationToken);
            var reply = await socket.WaitForAsync("server:auth_result", cancellationToken);
            using var result = JsonDocument.Parse(reply);
            if (!result.RootElement.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
            {
                var error = result.RootElement.TryGetProperty("error", out var e) ? e.GetString() : "no reason given";
                throw new CapacityProbeException($"the hub refused a client socket: {error}");
            }

            return socket;
        }
        catch
        {
            await socket.DisposeAsync();
            throw;
        }
    }

    public Task SendAsync<T>(T frame, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, typeInfo), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Reads frames until one of the given type arrives (others are skipped); its bytes are copied out.</summary>
    public async Task<byte[]> WaitForAsync(string type, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReplyTimeout);
        while (true)
        {
            var frame = await ReceiveAsync(timeout.Token)
                ?? throw new CapacityProbeException($"the hub closed a client socket while the probe waited for {type}");
            if (CapacityProbeFrames.TypeOf(frame.Span) == type)
            {
                return frame.ToArray();
            }

            if (CapacityProbeFrames.TypeOf(frame.Span) == "server:error")
            {
                throw new CapacityProbeException(
                    $"the hub answered {Encoding.UTF8.GetString(frame.Span)} while the probe waited for {type}");
            }
        }
    }

    /// <summary>One whole frame (valid until the next call), or null once the socket is closed.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (count == _buffer.Length)
            {
                var larger = new byte[_buffer.Length * 2];
                _buffer.AsSpan().CopyTo(larger);
                _buffer = larger;
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, count);
            }
        }
    }

    /// <summary>Reads and drops frames until the socket closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(512);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing or cut off: the phase that opened the socket is over.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Sends a normal close frame; the reader sees the hub's reply and ends.</summary>
    public async Task CloseOutputAsync()
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "probe done", timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Already going away.
        }
    }

    /// <summary>Closes (if nobody did) and frees the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseOutputAsync();
        _socket.Abort();
        _socket.Dispose();
    }
}
