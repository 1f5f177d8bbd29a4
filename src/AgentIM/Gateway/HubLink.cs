using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>
/// The gateway's one WebSocket to the hub (gateway-cli.md §4): <c>gateway:auth</c> on open (a refused token is
/// refreshed once and re-sent on the same socket), every hosted agent re-registered under the same id after each
/// auth, then the queued frames flushed in order. Pings every interval; a missing pong ends the link. Reconnects
/// with back-off and jitter. A frame leaves the queue only once it was written, so a completion produced while
/// the hub was away reaches it after the reconnect (the hub stores it once per message id).
/// </summary>
public sealed class HubLink(HubLinkOptions options, TokenKeeper tokens, ILogger logger) : IFrameSink
{
    private const int MaxInboundFrame = 16 * 1024 * 1024;

    private readonly OutgoingQueue _queue = new(options.QueueCapacity);
    private readonly Lock _lock = new();
    private ClientWebSocket? _socket;

    public AgentHost? Host { get; set; }

    public LinkState State { get; private set; } = LinkState.Disconnected;

    /// <summary>Frames waiting for the socket.</summary>
    public int QueuedFrames => _queue.Count;

    /// <summary>Successful authentications so far (a test waits for a reconnect with it).</summary>
    public int Authentications { get; private set; }

    /// <summary>Set when the hub speaks another protocol version: the link gives up.</summary>
    public string? FatalError { get; private set; }

    /// <summary>Raised when <see cref="State"/> changes.</summary>
    public event Action<LinkState>? StateChanged;

    public void Send(string frame, FramePriority priority)
    {
        if (_queue.TryEnqueue(frame, priority) || priority != FramePriority.Critical)
        {
            return;
        }

        // A full queue of critical frames: retry with back-off (1, 2, 4, 8, 16 s) rather than lose a completion.
        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1 << attempt));
                if (_queue.TryEnqueue(frame, priority))
                {
                    return;
                }
            }
        });
    }

    /// <summary>Cuts the current connection at once, as a network failure does (the link reconnects).</summary>
    public void AbortConnection()
    {
        lock (_lock)
        {
            _socket?.Abort();
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires (then unregisters the agents) or the protocol is refused.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var outcome = await RunSessionAsync(cancellationToken);
            if (cancellationToken.IsCancellationRequested || outcome == SessionEnd.Fatal)
            {
                break;
            }

            TimeSpan delay;
            if (outcome == SessionEnd.Revoked)
            {
                SetState(LinkState.Revoked);
                tokens.MarkRevoked();
                GatewayLog.SessionRevoked(logger, (int)options.RevokedRetry.TotalSeconds);
                delay = options.RevokedRetry;
                await WaitForNewTokensAsync(delay, cancellationToken);
                continue;
            }

            if (outcome == SessionEnd.PongTimeout)
            {
                // A dead link (no pong): come back after 1–1.5 s, not the long back-off.
                var quick = Math.Min(1000, options.ReconnectDelay.TotalMilliseconds);
                delay = TimeSpan.FromMilliseconds(quick * (1 + (Random.Shared.NextDouble() / 2)));
            }
            else
            {
                attempt = outcome == SessionEnd.LostAfterAuth ? 0 : attempt + 1;
                delay = options.BackOff(attempt);
            }

            SetState(LinkState.Disconnected);
            GatewayLog.Disconnected(logger, outcome.ToString(), (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        SetState(LinkState.Stopped);
    }

    private async Task WaitForNewTokensAsync(TimeSpan refreshEvery, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + refreshEvery;
        try
        {
            while (DateTime.UtcNow < until)
            {
                if (tokens.ReloadFromDisk())
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, refreshEvery.TotalMilliseconds)), cancellationToken);
            }

            await tokens.RefreshAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private enum SessionEnd
    {
        ConnectFailed,
        Lost,
        LostAfterAuth,
        PongTimeout,
        Revoked,
        Fatal,
        Stopped,
    }

    private async Task<SessionEnd> RunSessionAsync(CancellationToken cancellationToken)
    {
        SetState(LinkState.Connecting);
        using var socket = new ClientWebSocket();
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(new Uri(tokens.Settings.ServerUrl), connectTimeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            return cancellationToken.IsCancellationRequested ? SessionEnd.Stopped : SessionEnd.ConnectFailed;
        }

        lock (_lock)
        {
            _socket = socket;
        }

        SetState(LinkState.Connected);

        // The session's own token, not the caller's: on shutdown the reader must stay up to see the hub's close
        // after the goodbye (cancelling a WebSocket receive aborts the socket).
        using var session = new CancellationTokenSource();
        var connection = new Connection(socket);
        var authenticated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = WriteQueueAsync(connection, authenticated.Task, session.Token);
        var heartbeat = HeartbeatAsync(connection, session.Token);
        using var shutdown = cancellationToken.Register(() => _ = GoodbyeAsync(connection, authenticated.Task.IsCompleted));
        SessionEnd end;
        try
        {
            await connection.SendAsync(AuthFrame(), session.Token);
            end = await ReadAsync(connection, authenticated, session.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // ClientWebSocket.Abort (the goodbye's close timing out, a dead link) disposes the socket under the reader.
            end = authenticated.Task.IsCompleted ? SessionEnd.LostAfterAuth : SessionEnd.Lost;
        }

        if (connection.PongMissed)
        {
            end = SessionEnd.PongTimeout;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            end = SessionEnd.Stopped;
        }

        await session.CancelAsync();
        socket.Abort();
        await Task.WhenAll(writer, heartbeat);
        lock (_lock)
        {
            _socket = null;
        }

        return end;
    }

    private async Task<SessionEnd> ReadAsync(Connection connection, TaskCompletionSource authenticated, CancellationToken cancellationToken)
    {
        var refreshed = false;
        while (true)
        {
            var frame = await connection.ReceiveAsync(MaxInboundFrame, cancellationToken);
            if (frame is null)
            {
                return authenticated.Task.IsCompleted ? SessionEnd.LostAfterAuth : SessionEnd.Lost;
            }

            var type = frame["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            switch (type)
            {
                case null:
                    continue;
                case "server:pong":
                    connection.PongReceived();
                    continue;
                case "server:gateway_auth_result":
                    if (frame["ok"]?.GetValueKind() == JsonValueKind.True)
                    {
                        await OnAuthenticatedAsync(connection, cancellationToken);
                        authenticated.TrySetResult();
                        continue;
                    }

                    var error = frame["error"] is JsonValue e && e.TryGetValue<string>(out var text) ? text : "refused";
                    GatewayLog.AuthRejected(logger, error);
                    if (!refreshed && await tokens.RefreshAsync(cancellationToken) == RefreshOutcome.Refreshed)
                    {
                        refreshed = true;
                        await connection.SendAsync(AuthFrame(), cancellationToken);
                        continue;
                    }

                    await connection.CloseAsync();
                    return SessionEnd.Revoked;
                case "server:error":
                    var code = frame["code"]?.ToString() ?? "";
                    var message = frame["message"]?.ToString() ?? "";
                    if (code == "PROTOCOL_VERSION_MISMATCH")
                    {
                        FatalError = message;
                        GatewayLog.ProtocolMismatch(logger, message);
                        return SessionEnd.Fatal;
                    }

                    GatewayLog.ServerError(logger, code, message);
                    continue;
                default:
                    if (authenticated.Task.IsCompleted)
                    {
                        Host?.Handle(type, frame);
                    }

                    continue;
            }
        }
    }

    private async Task OnAuthenticatedAsync(Connection connection, CancellationToken cancellationToken)
    {
        tokens.ClearRevoked();
        // Registrations go straight out, ahead of the queue: queued chunks and completions need their agent bound.
        foreach (var register in Host?.RegistrationFrames() ?? [])
        {
            await connection.SendAsync(register, cancellationToken);
        }

        Authentications++;
        SetState(LinkState.Authenticated);
        GatewayLog.Connected(logger, tokens.Settings.ServerBaseUrl, tokens.Settings.GatewayId);
    }

    private async Task WriteQueueAsync(Connection connection, Task authenticated, CancellationToken cancellationToken)
    {
        try
        {
            await authenticated.WaitAsync(cancellationToken);
            while (true)
            {
                var frame = await _queue.PeekAsync(cancellationToken);
                await connection.SendAsync(frame, cancellationToken);
                _queue.Remove(frame);
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended; unsent frames stay queued for the next one.
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // The link broke mid-send: the frame stays queued for the next connection.
            connection.Abort();
        }
    }

    private async Task HeartbeatAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.PingInterval, cancellationToken);
                var sent = connection.PingSent();
                await connection.SendAsync(GatewayFrames.Ping(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), cancellationToken);
                await Task.Delay(options.PongTimeout, cancellationToken);
                if (!connection.PongSince(sent))
                {
                    connection.PongMissed = true;
                    connection.Abort();
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Shutdown (gateway-cli.md §4.5): unregister every agent, then send our close; the reader ends on the hub's
    /// answering close. A link that never authenticated, or a hub that does not answer in 2 s, is cut.
    /// </summary>
    private async Task GoodbyeAsync(Connection connection, bool authenticated)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            if (authenticated)
            {
                foreach (var agent in Host?.Agents ?? [])
                {
                    await connection.SendAsync(GatewayFrames.Unregister(agent.Id), timeout.Token);
                }

                await connection.CloseOutputAsync(timeout.Token);
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }

        connection.Abort();
    }

    private string AuthFrame() => GatewayFrames.Auth(tokens.Settings.Token, tokens.Settings.GatewayId, options.Ephemeral);

    private void SetState(LinkState state)
    {
        if (State != state)
        {
            State = state;
            StateChanged?.Invoke(state);
        }
    }

    /// <summary>One socket: serialized sends, whole-message receives, and the ping bookkeeping.</summary>
    private sealed class Connection(ClientWebSocket socket)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private long _pings;
        private long _lastPongFor;

        public bool PongMissed { get; set; }

        public long PingSent() => Interlocked.Increment(ref _pings);

        public void PongReceived() => Interlocked.Exchange(ref _lastPongFor, Interlocked.Read(ref _pings));

        public bool PongSince(long ping) => Interlocked.Read(ref _lastPongFor) >= ping;

        public void Abort() => socket.Abort();

        public async Task SendAsync(string frame, CancellationToken cancellationToken)
        {
            await _send.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, cancellationToken);
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task CloseOutputAsync(CancellationToken cancellationToken)
        {
            await _send.WaitAsync(cancellationToken);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task CloseAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                socket.Abort();
            }
        }

        /// <summary>The next JSON object frame, or null when the socket closed; frames that are not JSON objects are skipped.</summary>
        public async Task<JsonObject?> ReceiveAsync(int limit, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return null;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (message.Length > limit)
                    {
                        return null;
                    }
                }
                while (!result.EndOfMessage);

                try
                {
                    if (JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length)) is JsonObject frame)
                    {
                        return frame;
                    }
                }
                catch (JsonException)
                {
                    // Not JSON: dropped, as the real gateway drops frames it cannot validate.
                }
            }
        }
    }
}
