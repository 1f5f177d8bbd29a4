using System.Net.WebSockets;
using AgentIM.Agents;
using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Messages;
using AgentIM.Metrics;
using AgentIM.Rooms;
using AgentIM.Settings;
using AgentIM.Tasks;
using AgentIM.Users;

namespace AgentIM.Realtime;

/// <summary>
/// Serves one /ws/gateway socket: gateway auth, agent registration and status, and agents' streamed replies
/// (websocket.md §3, §6). Where the contract drops a bad gateway frame silently we drop it too, log it at Debug
/// and count it; where it defines an error frame we send that (decisions.md).
/// </summary>
public sealed partial class GatewaySocketHandler(
    HubConfig config,
    Authenticator authenticator,
    ConnectionRegistry registry,
    AgentStore agents,
    RoomAgentsCache agentsCache,
    DeletedAgents deletedAgents,
    MessageStore messages,
    UserStore users,
    PermissionRequests permissions,
    AgentChains chains,
    RoomStore rooms,
    TaskStore tasks,
    WorkspaceRequests workspaces,
    RoomContexts roomContexts,
    InterruptedStreams interrupted,
    SenderCooldowns cooldowns,
    RuntimeSettings settings,
    HubMetrics metrics,
    ILogger<GatewaySocketHandler> logger)
{
    // Status changes of one agent (registered on a new socket, offline as an old socket closes) take turns, so a
    // gateway that reconnects before its old socket's close is processed never ends with its agents offline.
    private readonly SemaphoreSlim[] _agentLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task RunAsync(WebSocket socket, CancellationToken stopping)
    {
        var connection = new GatewayConnection(socket);
        var writer = connection.RunWriterAsync();
        _ = CloseIfUnauthenticatedAsync(connection);
        using var stop = stopping.Register(() => connection.Close(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down"));
        try
        {
            await ReadLoopAsync(connection);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer went away; its agents go offline below.
            if (!connection.IsClosing)
            {
                metrics.WsDeadPeer();
            }
        }
        finally
        {
            connection.ReleaseReadBuffer();
            await connection.StopAsync(writer);
            await DisconnectAsync(connection);
        }
    }

    private async Task ReadLoopAsync(GatewayConnection connection)
    {
        while (!connection.Closed.IsCancellationRequested)
        {
            // Limits are runtime settings (5 s cache): a change applies to the next frame of every socket.
            var limit = (await settings.GetAsync(connection.Closed)).GatewayFrameLimitBytes;
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
                    // Upstream sends this without a code, which the real gateway discards; ours carries one.
                    connection.Send(Frames.Error(ErrorCodes.MessageTooLarge, $"Message too large (exceeds {limit} byte limit)"));
                    continue;
            }

            try
            {
                await HandleFrameAsync(connection, frame);
            }
            catch (Exception e) when (DbErrors.IsUnavailable(e))
            {
                connection.Send(Frames.Error(ErrorCodes.ServiceUnavailable, "Service temporarily unavailable, please retry"));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RealtimeLog.GatewayFrameFailed(logger, connection.Id, e);
            }
        }
    }

    private async Task HandleFrameAsync(GatewayConnection connection, ReadOnlyMemory<byte> frame)
    {
        frame = FrameInspector.ReplaceLoneSurrogateEscapes(frame);
        if (FrameInspector.Inspect(frame.Span, out var type) != FrameShape.Ok)
        {
            Drop(connection, "malformed");
            return;
        }

        metrics.WsMessageIn();
        if (!connection.IsAuthenticated && type is not ("gateway:auth" or "gateway:ping"))
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "Not authenticated");
            return;
        }

        switch (type)
        {
            case "gateway:auth":
                await HandleAuthAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayAuthFrame));
                return;
            case "gateway:ping":
                if (Frames.Parse(frame.Span, WireJson.Default.ClientPingFrame)?.Ts is { } ts)
                {
                    connection.Send(Frames.Serialize(new PongFrame(ts), WireJson.Default.PongFrame));
                }
                else
                {
                    Drop(connection, type);
                }

                return;
            case "gateway:register_agent":
                await HandleRegisterAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayRegisterAgentFrame)?.Agent);
                return;
            case "gateway:unregister_agent":
                await HandleUnregisterAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayAgentFrame));
                return;
            case "gateway:agent_status":
                await HandleAgentStatusAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayAgentStatusFrame));
                return;
            case "gateway:message_chunk":
                await HandleChunkAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayChunkFrame));
                return;
            case "gateway:message_complete":
                await HandleCompleteAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayCompleteFrame));
                return;
            case "gateway:permission_request":
                HandlePermissionRequest(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayPermissionRequestFrame));
                return;
            case "gateway:terminal_data":
                await HandleTerminalDataAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayTerminalDataFrame));
                return;
            case "gateway:task_update":
                await HandleTaskUpdateAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayTaskUpdateFrame));
                return;
            case "gateway:agent_command_result":
                HandleAgentCommandResult(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayAgentCommandResultFrame));
                return;
            case "gateway:agent_info":
                await HandleAgentInfoAsync(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayAgentInfoFrame));
                return;
            case "gateway:workspace_response":
                HandleWorkspaceResponse(connection, Frames.Parse(frame.Span, WireJson.Default.GatewayWorkspaceResponseFrame));
                return;
            case "gateway:spawn_result":
            case "gateway:credential_list":
            case "gateway:credential_result":
            case "gateway:oauth_url":
            case "gateway:oauth_result":
                HandleOwnerReply(connection, type, Frames.Parse(frame.Span, WireJson.Default.GatewayOwnerReplyFrame));
                return;
            case "gateway:rewind_result":
                // Upstream only logs it; there is nothing to relay (websocket.md §6).
                RealtimeLog.GatewayFrameDropped(logger, connection.Id, type);
                return;
            default:
                Drop(connection, type ?? "(no type)");
                return;
        }
    }

    private async Task HandleAuthAsync(GatewayConnection connection, GatewayAuthFrame? frame)
    {
        if (frame?.Token is not { Length: >= 1 and <= 2000 } token || frame.GatewayId is not { Length: >= 1 and <= 200 } gatewayId)
        {
            Drop(connection, "gateway:auth");
            return;
        }

        var check = authenticator.Check(token);
        if (check.Claims is not { } claims)
        {
            var error = check.Error == Authenticator.InvalidOrExpired ? "Authentication failed" : check.Error;
            SendAuthResult(connection, new GatewayAuthResultFrame(false, error));
            return;
        }

        if (frame.ProtocolVersion is { } version && version != ErrorCodes.ProtocolVersion)
        {
            connection.Send(Frames.Error(ErrorCodes.ProtocolVersionMismatch,
                $"Protocol version mismatch: gateway={version}, server={ErrorCodes.ProtocolVersion}. Please update your gateway."));
            connection.Close(WebSocketCloseStatus.PolicyViolation, "Protocol version mismatch");
            return;
        }

        if (connection.UserId != claims.UserId)
        {
            var user = await users.FindByIdAsync(claims.UserId, connection.Closed);
            var perUser = user?.MaxGateways ?? (await settings.GetAsync(connection.Closed)).MaxGatewaysPerUser;
            if (registry.CountGateways(claims.UserId) >= perUser)
            {
                SendAuthResult(connection, new GatewayAuthResultFrame(false, "Too many gateway connections"));
                return;
            }
        }

        var device = frame.DeviceInfo;
        var outcome = await agents.UpsertGatewayAsync(
            gatewayId, claims.UserId, device?.Hostname, device?.Platform, device?.Arch, device?.NodeVersion, frame.Ephemeral == true,
            connection.Closed);
        if (outcome == GatewayAuthOutcome.OwnedByAnotherUser)
        {
            SendAuthResult(connection, new GatewayAuthResultFrame(false, "Gateway ID belongs to another user"));
            return;
        }

        connection.Authenticate(claims.UserId, claims.SessionId, gatewayId);
        registry.AddGateway(connection);
        SendAuthResult(connection, new GatewayAuthResultFrame(true, null));
        registry.SendToUser(claims.UserId, Frames.Serialize(AgentsChangedFrame.Instance, WireJson.Default.AgentsChangedFrame));
        RealtimeLog.GatewayAuthenticated(logger, connection.Id, gatewayId, claims.UserId);
    }

    private async Task DisconnectAsync(GatewayConnection connection)
    {
        registry.RemoveGateway(connection);
        if (!connection.IsAuthenticated)
        {
            return;
        }

        // Agents that re-registered on a newer socket of the same gateway stay online.
        var gone = new List<BoundAgent>();
        try
        {
            foreach (var agent in connection.Agents.Values)
            {
                var gate = AgentLock(agent.Id);
                await gate.WaitAsync(CancellationToken.None);
                try
                {
                    if (registry.GatewayOfAgent(agent.Id) is null)
                    {
                        cooldowns.Forget(agent.Id);
                        await agents.SetStatusAsync([agent.Id], "offline", CancellationToken.None);
                        gone.Add(agent);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }

            foreach (var agent in gone)
            {
                await BroadcastStatusAsync(agent.Id, CancellationToken.None);
            }

            // Replies those agents were still streaming can no longer finish: end them with what was said (case B05).
            var goneIds = gone.Select(a => a.Id).ToHashSet();
            await interrupted.EndAsync(
                registry.EndStreams(s => goneIds.Contains(s.AgentId)), InterruptedStreams.AgentGone, CancellationToken.None);

            await agents.MarkGatewayDisconnectedAsync(connection.GatewayId!, CancellationToken.None);
        }
        catch (Exception e) when (DbErrors.IsUnavailable(e))
        {
            // The next start marks everything offline anyway (behaviour.md §6.2).
            RealtimeLog.GatewayCleanupFailed(logger, connection.Id, e);
        }

        registry.SendToUser(connection.UserId!, Frames.Serialize(AgentsChangedFrame.Instance, WireJson.Default.AgentsChangedFrame));
        RealtimeLog.GatewayClosed(logger, connection.Id, connection.GatewayId!);
    }

    private async Task CloseIfUnauthenticatedAsync(GatewayConnection connection)
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

    private SemaphoreSlim AgentLock(string agentId) =>
        _agentLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(agentId) % _agentLocks.Length)];

    private void Drop(GatewayConnection connection, string type)
    {
        metrics.GatewayFrameDropped();
        RealtimeLog.GatewayFrameDropped(logger, connection.Id, type);
    }

    private static void SendAuthResult(GatewayConnection connection, GatewayAuthResultFrame frame) =>
        connection.Send(Frames.Serialize(frame, WireJson.Default.GatewayAuthResultFrame));
}
