using System.Net.WebSockets;
using AgentIM.Agents;
using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Messages;
using AgentIM.Metrics;
using AgentIM.Rooms;
using AgentIM.Settings;
using AgentIM.Users;

namespace AgentIM.Realtime;

/// <summary>
/// Serves one /ws/client socket: in-band auth within the auth window, then the client frames of websocket.md §4,
/// handled one at a time in arrival order. Bad input gets the contract's <c>server:error</c> and the socket stays
/// open; only a broken protocol (oversized beyond reason, revoked session, failed auth limits) closes it.
/// </summary>
public sealed partial class ClientSocketHandler(
    HubConfig config,
    Authenticator authenticator,
    ConnectionRegistry registry,
    Presence presence,
    MessageRateLimiter rateLimiter,
    RoomStore rooms,
    RoomAgentsCache agentsCache,
    MessageStore messages,
    UserStore users,
    PermissionRequests permissions,
    WorkspaceRequests workspaces,
    RealtimeStore realtimeStore,
    AgentStore agentStore,
    BroadcastRouter broadcastRouter,
    SenderCooldowns cooldowns,
    RuntimeSettings settings,
    HubMetrics metrics,
    Redis.SharedCounters sharedCounters,
    ILogger<ClientSocketHandler> logger)
{
    private const int MaxAuthAttempts = 5;

    private static readonly byte[] ShutdownNotice = Frames.Error(ErrorCodes.ServerShutdown, "Server is shutting down");

    public async Task RunAsync(WebSocket socket, CancellationToken stopping)
    {
        var connection = new ClientConnection(socket);
        var writer = connection.RunWriterAsync();
        _ = CloseIfUnauthenticatedAsync(connection);
        using var stop = stopping.Register(() =>
        {
            // Shutdown (websocket.md §5): tell the client why, then close as "going away" so it reconnects elsewhere.
            connection.Send(ShutdownNotice);
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down");
        });
        try
        {
            await ReadLoopAsync(connection);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer went away; nothing to answer.
            if (!connection.IsClosing)
            {
                metrics.WsDeadPeer();
            }
        }
        finally
        {
            connection.ReleaseReadBuffer();
            var joined = connection.RoomsSnapshot();
            if (registry.RemoveClient(connection))
            {
                presence.UserWentOffline(connection.UserId!, connection.Username!);
            }

            // A closing socket clears its typing indicator in every room it had joined (websocket.md §11).
            if (connection.IsAuthenticated)
            {
                var typing = new TypingFrame("", connection.UserId!, connection.Username!);
                foreach (var roomId in joined)
                {
                    registry.SendToRoom(roomId, Frames.Serialize(typing with { RoomId = roomId }, WireJson.Default.TypingFrame));
                }
            }

            await connection.StopAsync(writer);
            RealtimeLog.ClientClosed(logger, connection.Id, connection.UserId ?? "");
        }
    }

    private async Task ReadLoopAsync(ClientConnection connection)
    {
        while (!connection.Closed.IsCancellationRequested)
        {
            // Limits are runtime settings (5 s cache): a change applies to the next frame of every socket.
            connection.Settings = await settings.GetAsync(connection.Closed);
            var limit = connection.Settings.ClientFrameLimitBytes;

            // Before auth nothing large is read at all; afterwards an oversized frame is drained and answered.
            var drainLimit = connection.IsAuthenticated ? 8L * limit : limit;
            var (outcome, frame) = await connection.ReadAsync(limit, drainLimit, connection.Closed);
            if (connection.IsClosing)
            {
                // Our close frame is out: only the peer's reply matters now, whatever else arrives is not acted on.
                if (outcome is ReadOutcome.Frame or ReadOutcome.TooLarge)
                {
                    continue;
                }

                return;
            }

            switch (outcome)
            {
                case ReadOutcome.Closed:
                    connection.Close(WebSocketCloseStatus.NormalClosure, "");
                    return;
                case ReadOutcome.TooLargeToDrain:
                    connection.Close(WebSocketCloseStatus.MessageTooBig, "Message too big");
                    return;
                case ReadOutcome.TooLarge:
                    if (!connection.IsAuthenticated)
                    {
                        connection.Close(WebSocketCloseStatus.MessageTooBig, "Message too big");
                        return;
                    }

                    SendError(connection, ErrorCodes.MessageTooLarge, "Message exceeds maximum size");
                    continue;
            }

            try
            {
                await HandleFrameAsync(connection, frame);
            }
            catch (Exception e) when (DbErrors.IsUnavailable(e))
            {
                SendError(connection, ErrorCodes.ServiceUnavailable, "Service temporarily unavailable, please retry");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RealtimeLog.ClientFrameFailed(logger, connection.Id, e);
                SendError(connection, ErrorCodes.InternalError, "An internal error occurred");
            }
        }
    }

    private async Task HandleFrameAsync(ClientConnection connection, ReadOnlyMemory<byte> frame)
    {
        frame = FrameInspector.ReplaceLoneSurrogateEscapes(frame);
        switch (FrameInspector.Inspect(frame.Span, out var type))
        {
            case FrameShape.InvalidJson:
                SendError(connection, ErrorCodes.InvalidJson, "Invalid JSON");
                return;
            case FrameShape.TooDeep:
                SendError(connection, ErrorCodes.JsonTooDeep, "JSON nesting depth exceeded");
                return;
            case FrameShape.TooWide:
                SendError(connection, ErrorCodes.JsonTooDeep, "JSON collection size exceeded");
                return;
        }

        metrics.WsMessageIn();
        switch (type)
        {
            case "client:auth":
                await HandleAuthAsync(connection, Frames.Parse(frame.Span, WireJson.Default.ClientAuthFrame));
                return;
            case "client:ping":
                HandlePing(connection, Frames.Parse(frame.Span, WireJson.Default.ClientPingFrame));
                return;
            case "client:join_room":
            case "client:leave_room":
            case "client:typing":
                var room = Frames.Parse(frame.Span, WireJson.Default.ClientRoomFrame);
                if (!IsId(room?.RoomId))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleRoomFrameAsync(connection, type, room!.RoomId!);
                }

                return;
            case "client:send_message":
                var send = Frames.Parse(frame.Span, WireJson.Default.ClientSendMessageFrame);
                if (ValidateSend(connection, send) && await AdmitAsync(connection))
                {
                    await HandleSendMessageAsync(connection, send!);
                }

                return;
            case "client:stop_generation":
                var stop = Frames.Parse(frame.Span, WireJson.Default.ClientStopGenerationFrame);
                if (!IsId(stop?.RoomId) || !IsId(stop!.AgentId))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleStopGenerationAsync(connection, stop.RoomId!, stop.AgentId!);
                }

                return;
            case "client:permission_response":
                var answer = Frames.Parse(frame.Span, WireJson.Default.ClientPermissionResponseFrame);
                if (!IsValidPermissionResponse(answer))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandlePermissionResponseAsync(connection, answer!);
                }

                return;
            case "client:agent_command":
                var command = Frames.Parse(frame.Span, WireJson.Default.ClientAgentCommandFrame);
                if (!IsId(command?.RoomId) || !IsId(command!.AgentId) || command.Command is not { Length: >= 1 and <= 100 }
                    || command.Args is { Length: > 10_000 })
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleAgentCommandAsync(connection, command);
                }

                return;
            case "client:query_agent_info":
                var query = Frames.Parse(frame.Span, WireJson.Default.ClientQueryAgentInfoFrame);
                if (!IsId(query?.AgentId) || (query!.RoomId is not null && !IsId(query.RoomId)))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleQueryAgentInfoAsync(connection, query);
                }

                return;
            case "client:request_workspace":
                var workspace = Frames.Parse(frame.Span, WireJson.Default.ClientRequestWorkspaceFrame);
                if (!IsId(workspace?.RoomId) || !IsId(workspace!.AgentId) || !IsValidWorkspaceRequest(workspace.Request))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleRequestWorkspaceAsync(connection, workspace);
                }

                return;
            case "client:list_gateway_credentials":
            case "client:add_gateway_credential":
            case "client:manage_gateway_credential":
            case "client:start_gateway_oauth":
            case "client:complete_gateway_oauth":
                var relay = Frames.Parse(frame.Span, WireJson.Default.ClientGatewayRelayFrame);
                if (!IsValidGatewayRelay(type, relay))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    HandleGatewayRelay(connection, type, relay!);
                }

                return;
            case "client:rewind_room":
                var rewind = Frames.Parse(frame.Span, WireJson.Default.ClientRewindRoomFrame);
                if (!IsId(rewind?.RoomId) || !IsId(rewind!.MessageId))
                {
                    SendInvalid(connection);
                }
                else if (await AdmitAsync(connection))
                {
                    await HandleRewindAsync(connection, rewind.RoomId!, rewind.MessageId!);
                }

                return;
            default:
                SendInvalid(connection);
                return;
        }
    }

    /// <summary>Steps 6 and 7 of the inbound pipeline: authenticated, and within the user's rate limit.</summary>
    private async ValueTask<bool> AdmitAsync(ClientConnection connection)
    {
        if (!connection.IsAuthenticated)
        {
            SendError(connection, ErrorCodes.NotAuthenticated, "Please authenticate first");
            return false;
        }

        var limits = connection.Settings!;
        if (!await rateLimiter.TryAcquireAsync(connection.UserId!, limits.ClientMessageMax, limits.ClientMessageWindow))
        {
            SendError(connection, ErrorCodes.RateLimited, "Too many messages, please slow down");
            return false;
        }

        return true;
    }

    private async Task HandleAuthAsync(ClientConnection connection, ClientAuthFrame? frame)
    {
        if (frame?.Token is not { Length: >= 1 and <= 2000 } token)
        {
            SendInvalid(connection);
            return;
        }

        var attempt = ++connection.AuthAttempts;
        var now = Environment.TickCount64;
        if (attempt > MaxAuthAttempts)
        {
            SendAuthResult(connection, new AuthResultFrame(false, "Too many authentication attempts", null));
            connection.Close(WebSocketCloseStatus.PolicyViolation, "Too many authentication attempts");
            return;
        }

        var early = now < connection.NextAuthAllowedAtMs;
        connection.NextAuthAllowedAtMs = now + (200L << (attempt - 1));
        if (early)
        {
            SendAuthResult(connection, new AuthResultFrame(false, "Too many authentication attempts, please wait", null));
            return;
        }

        var check = authenticator.Check(token);
        if (check.Claims is not { } claims)
        {
            var error = check.Error == Authenticator.InvalidOrExpired ? "Invalid token" : check.Error;
            SendAuthResult(connection, new AuthResultFrame(false, error, null));
            return;
        }

        if (frame.ProtocolVersion is { } version && version != ErrorCodes.ProtocolVersion)
        {
            SendError(connection, ErrorCodes.ProtocolVersionMismatch,
                $"Protocol version mismatch: client={version}, server={ErrorCodes.ProtocolVersion}. Please update your client.");
            connection.Close(WebSocketCloseStatus.PolicyViolation, "Protocol version mismatch");
            return;
        }

        if (connection.UserId != claims.UserId)
        {
            var user = await users.FindByIdAsync(claims.UserId, connection.Closed);
            var perUser = user?.MaxWsConnections ?? connection.Settings!.MaxConnectionsPerUser;
            if (registry.CountClients(claims.UserId) >= perUser)
            {
                SendAuthResult(connection, new AuthResultFrame(false, "Too many connections", null));
                return;
            }

            if (registry.ClientCount >= connection.Settings!.MaxTotalConnections)
            {
                SendAuthResult(connection, new AuthResultFrame(false, "Server at capacity", null));
                return;
            }

            if (connection.IsAuthenticated && registry.RemoveClient(connection))
            {
                presence.UserWentOffline(connection.UserId!, connection.Username!);
            }

            foreach (var room in connection.RoomsSnapshot())
            {
                connection.RemoveRoom(room);
            }
        }

        var wasRegistered = connection.UserId == claims.UserId;
        connection.Authenticate(claims.UserId, claims.Username, claims.SessionId);
        SendAuthResult(connection, new AuthResultFrame(true, null, claims.UserId));
        if (!wasRegistered && registry.AddClient(connection))
        {
            presence.UserCameOnline(claims.UserId, claims.Username);
        }

        RealtimeLog.ClientAuthenticated(logger, connection.Id, claims.UserId);
    }

    private static void HandlePing(ClientConnection connection, ClientPingFrame? frame)
    {
        if (frame?.Ts is not { } ts)
        {
            SendInvalid(connection);
            return;
        }

        connection.Send(Frames.Serialize(new PongFrame(ts), WireJson.Default.PongFrame));
    }

    private async Task CloseIfUnauthenticatedAsync(ClientConnection connection)
    {
        try
        {
            await Task.Delay(config.WsAuthTimeout, connection.Closed);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!connection.IsAuthenticated)
        {
            connection.Close((WebSocketCloseStatus)4001, "Authentication timeout");
        }
    }

    private static void SendAuthResult(ClientConnection connection, AuthResultFrame frame) =>
        connection.Send(Frames.Serialize(frame, WireJson.Default.AuthResultFrame));

    private static void SendError(SocketConnection connection, string code, string message) => connection.Send(Frames.Error(code, message));

    private static void SendInvalid(SocketConnection connection) =>
        SendError(connection, ErrorCodes.InvalidMessage, "Invalid message format");

    private static bool IsId(string? value) => value is { Length: >= 1 and <= 100 };
}
