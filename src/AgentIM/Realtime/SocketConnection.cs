using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace AgentIM.Realtime;

public enum ReadOutcome
{
    Frame,
    Closed,
    TooLarge,
    TooLargeToDrain,
}

/// <summary>
/// One WebSocket, client or gateway. Outbound frames go through a bounded queue drained by one writer task, so
/// a broadcast never waits on a slow socket and frames leave in the order they were queued. A reader that falls
/// more than <see cref="MaxQueuedBytes"/> behind is cut off rather than allowed to grow the hub's memory (case B25).
/// Frames are serialized once per broadcast; every socket gets the same bytes.
/// </summary>
public abstract class SocketConnection
{
    private const int MaxQueuedFrames = 4096;
    private const long MaxQueuedBytes = 8 * 1024 * 1024;
    private const int InitialReadBuffer = 4096;

    // How long a close handshake may take: the peer's close reply, or our queued frames draining, before we cut it off.
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private static long s_nextId;

    private readonly WebSocket _socket;
    private readonly Channel<Outbound> _outbox = Channel.CreateBounded<Outbound>(
        new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closed = new();
    private long _queuedBytes;
    private int _closing;
    private byte[]? _readBuffer;

    protected SocketConnection(WebSocket socket)
    {
        _socket = socket;
        Id = Interlocked.Increment(ref s_nextId);
    }

    public long Id { get; }

    /// <summary>Cancelled once the socket is gone (or its close handshake ran out of time): nothing more is read or written.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>
    /// True once <see cref="Close"/> was called: the close frame follows the frames already queued, and inbound frames
    /// are no longer handled (a frame sent after a revocation must not act, case B08).
    /// </summary>
    public bool IsClosing => Volatile.Read(ref _closing) == 1;

    /// <summary>Queues a serialized frame; false when the socket is closing or was cut off for falling behind.</summary>
    public bool Send(byte[] frame)
    {
        if (_closed.IsCancellationRequested || IsClosing)
        {
            return false;
        }

        if (Interlocked.Add(ref _queuedBytes, frame.Length) > MaxQueuedBytes || !_outbox.Writer.TryWrite(new Outbound(frame, 0, null)))
        {
            // A close that raced with this send completed the queue; that is no reason to cut the close short.
            if (!IsClosing)
            {
                Abort();
            }

            return false;
        }

        return true;
    }

    /// <summary>Closes after every frame queued so far has been written. Only the first close counts.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        if (!_outbox.Writer.TryWrite(new Outbound(null, status, reason)))
        {
            Abort();
        }

        _outbox.Writer.TryComplete();
    }

    /// <summary>
    /// Ends the connection once the reader is done: lets the writer send what is queued (a close frame included)
    /// within the handshake timeout, and cuts the socket only if it does not. Aborting at once would discard frames
    /// still on their way out, the close frame among them, so the peer would see a dropped connection.
    /// </summary>
    public async Task StopAsync(Task writer)
    {
        _outbox.Writer.TryComplete();
        if (await Task.WhenAny(writer, Task.Delay(CloseHandshakeTimeout)) != writer)
        {
            Abort();
            await writer;
        }

        _closed.Cancel();
    }

    public void Abort()
    {
        _outbox.Writer.TryComplete();
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
            _socket.Abort();
        }
    }

    /// <summary>Writes queued frames until the socket closes. Runs once per connection.</summary>
    public async Task RunWriterAsync()
    {
        var awaitingCloseReply = false;
        try
        {
            await foreach (var item in _outbox.Reader.ReadAllAsync(_closed.Token))
            {
                if (item.Frame is { } frame)
                {
                    Interlocked.Add(ref _queuedBytes, -frame.Length);
                    await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _closed.Token);
                    continue;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
                timeout.CancelAfter(CloseHandshakeTimeout);
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(item.Status, item.Reason, timeout.Token);
                }

                // The reader is still waiting for the peer's close reply; give it a bounded time to arrive.
                awaitingCloseReply = _socket.State == WebSocketState.CloseSent;
                break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The peer went away or we cut it off; the reader loop sees the same and cleans up.
        }
        finally
        {
            if (awaitingCloseReply)
            {
                _closed.CancelAfter(CloseHandshakeTimeout);
            }
            else
            {
                _closed.Cancel();
            }
        }
    }

    /// <summary>
    /// Reads one whole message of at most <paramref name="limit"/> bytes. A larger message is read to its end and
    /// thrown away (TooLarge) unless it passes <paramref name="drainLimit"/>, in which case reading stops at once
    /// (TooLargeToDrain): the bytes are never held, only counted. The buffer is rented only while a message
    /// arrives, so an idle socket holds none.
    /// </summary>
    public async Task<(ReadOutcome Outcome, ReadOnlyMemory<byte> Frame)> ReadAsync(
        int limit, long drainLimit, CancellationToken cancellationToken)
    {
        ReleaseReadBuffer();
        var first = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return (ReadOutcome.Closed, default);
        }

        _readBuffer = ArrayPool<byte>.Shared.Rent(InitialReadBuffer);
        var count = 0;
        long total = 0;
        var endOfMessage = first.EndOfMessage;
        while (!endOfMessage)
        {
            if (total > limit)
            {
                // Discard: read into the start of the buffer and only count.
                var skipped = await _socket.ReceiveAsync(_readBuffer.AsMemory(), cancellationToken);
                if (skipped.MessageType == WebSocketMessageType.Close)
                {
                    return (ReadOutcome.Closed, default);
                }

                total += skipped.Count;
                if (total > drainLimit)
                {
                    return (ReadOutcome.TooLargeToDrain, default);
                }

                endOfMessage = skipped.EndOfMessage;
                continue;
            }

            if (count == _readBuffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_readBuffer.Length * 2, limit + 1));
                _readBuffer.AsSpan(0, count).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_readBuffer);
                _readBuffer = larger;
            }

            var result = await _socket.ReceiveAsync(_readBuffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (ReadOutcome.Closed, default);
            }

            count += result.Count;
            total += result.Count;
            endOfMessage = result.EndOfMessage;
        }

        return total > limit ? (ReadOutcome.TooLarge, default) : (ReadOutcome.Frame, _readBuffer.AsMemory(0, count));
    }

    /// <summary>Returns the read buffer to the pool; the frame handed out by <see cref="ReadAsync"/> is then invalid.</summary>
    public void ReleaseReadBuffer()
    {
        if (_readBuffer is { } buffer)
        {
            _readBuffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private readonly record struct Outbound(byte[]? Frame, WebSocketCloseStatus Status, string? Reason);
}
