using System.Text;
using System.Text.Json;
using AgentIM.Agents;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;
using AgentIM.Rooms;

namespace AgentIM.Realtime;

public sealed partial class GatewaySocketHandler
{
    private const int MaxChunkContent = 1_000_000;
    private const long MaxStreamBytes = 10 * 1024 * 1024;
    private const int MaxFullContent = 200_000;
    private const int MaxCompletionChunks = 5_000;
    private const int MaxStoredChunksJson = 20 * 1024 * 1024;

    private static readonly string[] AgentTypes = ["claude-code", "codex", "gemini", "generic"];
    private static readonly string[] AgentStatuses = ["online", "offline", "busy", "error"];
    private static readonly string[] ChunkTypes = ["text", "thinking", "tool_use", "tool_result", "error", "workspace_status"];

    private async Task HandleRegisterAsync(GatewayConnection connection, AgentFrame? agent)
    {
        if (agent is not { Id.Length: >= 1 and <= 100, Name.Length: >= 1 and <= 100 } || string.IsNullOrWhiteSpace(agent.Name))
        {
            Drop(connection, "gateway:register_agent");
            return;
        }

        // An agent deleted over REST while this gateway was away is told to go, not recreated (behaviour.md §6.2).
        if (deletedAgents.TryForget(agent.Id))
        {
            connection.Send(Frames.Serialize(new RemoveAgentFrame(agent.Id), WireJson.Default.RemoveAgentFrame));
            return;
        }

        // Custom adapters report their own type names; they are generic agents to the hub (behaviour.md §15.17).
        var type = AgentTypes.Contains(agent.Type) ? agent.Type! : "generic";
        var registration = new AgentRegistration(
            agent.Id,
            agent.Name,
            type,
            agent.WorkingDirectory,
            agent.Capabilities is null ? null : JsonSerializer.Serialize(agent.Capabilities, ApiJson.Default.ListString),
            agent.SlashCommands?.Json,
            agent.McpServers is null ? null : JsonSerializer.Serialize(agent.McpServers, ApiJson.Default.ListString),
            agent.Model);
        var gate = AgentLock(agent.Id);
        await gate.WaitAsync(connection.Closed);
        try
        {
            switch (await agents.RegisterAsync(registration, connection.GatewayId!, connection.UserId!, connection.Closed))
            {
                case RegisterOutcome.OwnedByAnotherUser:
                    Drop(connection, "gateway:register_agent (agent of another user)");
                    return;
                case RegisterOutcome.NameTaken:
                    // Case B19: one owner's agent names differ in more than letter case, so a mention is never ambiguous.
                    RealtimeLog.AgentNameTaken(logger, agent.Id, connection.GatewayId!);
                    connection.Send(Frames.Error(
                        ErrorCodes.AgentNameTaken, $"You already have an agent named \"{agent.Name}\" (names ignore letter case)"));
                    return;
            }

            connection.Agents[agent.Id] = new BoundAgent(agent.Id, agent.Name, type);
            if (registry.BindAgent(agent.Id, connection) is { } previous)
            {
                previous.Agents.TryRemove(agent.Id, out _);
            }
        }
        finally
        {
            gate.Release();
        }

        await BroadcastStatusAsync(agent.Id, connection.Closed);
        registry.SendToUser(connection.UserId!, Frames.Serialize(AgentsChangedFrame.Instance, WireJson.Default.AgentsChangedFrame));
        foreach (var roomId in await agents.ListRoomsOfAgentAsync(agent.Id, connection.Closed))
        {
            await roomContexts.SendAsync(agent.Id, roomId, connection.Closed);
        }

        RealtimeLog.AgentRegistered(logger, agent.Id, connection.GatewayId!);
    }

    private async Task HandleUnregisterAsync(GatewayConnection connection, GatewayAgentFrame? frame)
    {
        if (frame?.AgentId is not { } agentId || !connection.Agents.TryRemove(agentId, out _))
        {
            Drop(connection, "gateway:unregister_agent");
            return;
        }

        registry.UnbindAgent(agentId, connection);
        cooldowns.Forget(agentId);
        await agents.SetStatusAsync([agentId], "offline", connection.Closed);
        await BroadcastStatusAsync(agentId, connection.Closed);
        registry.SendToUser(connection.UserId!, Frames.Serialize(AgentsChangedFrame.Instance, WireJson.Default.AgentsChangedFrame));
    }

    private async Task HandleAgentStatusAsync(GatewayConnection connection, GatewayAgentStatusFrame? frame)
    {
        if (frame?.AgentId is not { } agentId || !connection.Agents.ContainsKey(agentId) || !AgentStatuses.Contains(frame.Status)
            || frame.QueueDepth < 0)
        {
            Drop(connection, "gateway:agent_status");
            return;
        }

        // The depth is remembered only for the sender cooldown; an agent that goes offline has nothing queued here.
        if (frame.Status == "offline")
        {
            cooldowns.Forget(agentId);
        }
        else if (frame.QueueDepth is { } depth)
        {
            cooldowns.ReportQueueDepth(agentId, depth);
        }

        await agents.SetStatusAsync([agentId], frame.Status!, connection.Closed);
        await BroadcastStatusAsync(agentId, connection.Closed);
    }

    /// <summary>Relays one piece of a reply to the room. Chunks are not stored; the completion is.</summary>
    private async Task HandleChunkAsync(GatewayConnection connection, GatewayChunkFrame? frame)
    {
        if (frame is not { RoomId.Length: >= 1, MessageId.Length: >= 1 and <= 100, Chunk: { Content: not null } chunk }
            || frame.AgentId is null || !connection.Agents.TryGetValue(frame.AgentId, out var agent)
            || !ChunkTypes.Contains(chunk.Type) || chunk.Content.Length > MaxChunkContent || chunk.Metadata?.Json.Length > 100_000)
        {
            Drop(connection, "gateway:message_chunk");
            return;
        }

        if (!await IsAgentInRoomAsync(connection, frame.RoomId!, agent.Id))
        {
            return;
        }

        var size = Encoding.UTF8.GetByteCount(chunk.Content);
        var total = connection.StreamBytes.AddOrUpdate(frame.MessageId!, size, (_, seen) => seen > MaxStreamBytes ? seen : seen + size);
        if (total > MaxStreamBytes)
        {
            if (total - size <= MaxStreamBytes)
            {
                connection.StreamBytes[frame.MessageId!] = long.MaxValue;
                registry.EndStream(frame.RoomId!, frame.MessageId!);
                connection.Send(Frames.Error(ErrorCodes.StreamTooLarge, $"Stream total size exceeds maximum ({MaxStreamBytes} bytes)"));
            }

            return;
        }

        var content = ContentSanitizer.CleanCodeUnits(chunk.Content);
        var relayed = new MessageChunkFrame(
            frame.RoomId!, agent.Id, agent.Name, frame.MessageId!, new ChunkDto(chunk.Type!, content, chunk.Metadata));
        registry.SendChunkToRoom(
            frame.RoomId!, frame.MessageId!, agent.Id, agent.Name, Frames.Serialize(relayed, WireJson.Default.MessageChunkFrame),
            chunk.Type == "text" ? content : null);
    }

    /// <summary>Stores the finished reply once (idempotent on a repeat, case B03) and tells the room.</summary>
    private async Task HandleCompleteAsync(GatewayConnection connection, GatewayCompleteFrame? frame)
    {
        if (frame is not { RoomId.Length: >= 1, MessageId.Length: >= 1 and <= 100, FullContent: not null }
            || frame.AgentId is null || !connection.Agents.TryGetValue(frame.AgentId, out var agent)
            || frame.FullContent.Length > MaxFullContent || frame.Chunks is { Count: > MaxCompletionChunks }
            || frame.Chunks?.Any(c => !ChunkTypes.Contains(c.Type) || c.Content is null) == true || frame.Depth < 0
            || frame.ConversationId is { Length: > 100 })
        {
            Drop(connection, "gateway:message_complete");
            return;
        }

        if (!await IsAgentInRoomAsync(connection, frame.RoomId!, agent.Id))
        {
            return;
        }

        string? chunksJson = null;
        if (frame.Chunks is { } chunks)
        {
            var cleaned = chunks.Select(c => new ChunkDto(c.Type!, ContentSanitizer.CleanCodeUnits(c.Content!), c.Metadata)).ToList();
            chunksJson = JsonSerializer.Serialize(cleaned, ApiJson.Default.ListChunkDto);
            if (chunksJson.Length > MaxStoredChunksJson)
            {
                chunksJson = null;
            }
        }

        MessageDto message;
        using var turn = messages.Order.Begin(frame.RoomId!);
        try
        {
            message = await messages.UpsertAgentCompletionAsync(
                new AgentCompletion(
                    frame.MessageId!, frame.RoomId!, agent.Id, agent.Name, ContentSanitizer.CleanCodeUnits(frame.FullContent), chunksJson),
                turn,
                connection.Closed);
        }
        catch (Exception e) when (DbErrors.IsForeignKeyViolation(e))
        {
            // The room went away after the (cached) membership check: answer as for a missing room, and forget the
            // cached membership so the stream's next frames get the same answer at once (case B05).
            agentsCache.Invalidate(frame.RoomId!);
            connection.StreamBytes.TryRemove(frame.MessageId!, out _);
            registry.EndStream(frame.RoomId!, frame.MessageId!);
            connection.Send(Frames.Error(ErrorCodes.RoomNotFound, "Room not found"));
            return;
        }

        connection.StreamBytes.TryRemove(frame.MessageId!, out _);
        metrics.AgentMessageStored();
        metrics.AgentResponded(agent.Id, message.RoomId);
        await turn.AnnounceAsync(() => registry.SendStreamEndToRoom(
            frame.RoomId!, frame.MessageId!, Frames.Serialize(new MessageCompleteFrame(message), WireJson.Default.MessageCompleteFrame)));
        await RouteToAgentsAsync(agent, message, frame.ConversationId, frame.Depth ?? 0, connection.Closed);
    }

    /// <summary>
    /// A stream into a room that no longer exists is answered with ROOM_NOT_FOUND so the gateway stops, instead of
    /// streaming into silence (case B05); a room the agent is simply not in is dropped, as the contract says.
    /// </summary>
    private async Task<bool> IsAgentInRoomAsync(GatewayConnection connection, string roomId, string agentId)
    {
        switch (await agentsCache.CheckAsync(roomId, agentId, connection.Closed))
        {
            case AgentMembership.Member:
                return true;
            case AgentMembership.RoomMissing:
                connection.Send(Frames.Error(ErrorCodes.RoomNotFound, "Room not found"));
                return false;
            default:
                Drop(connection, "agent is not a member of the room");
                return false;
        }
    }

    /// <summary>Tells every room the agent is in what its status now is.</summary>
    private async Task BroadcastStatusAsync(string agentId, CancellationToken cancellationToken)
    {
        var agent = await agents.GetAsync(agentId, cancellationToken);
        if (agent is null)
        {
            return;
        }

        var frame = Frames.Serialize(
            new AgentStatusFrame(new AgentStatusDto(
                agent.Id, agent.Name, agent.Type, agent.Status,
                agent.SlashCommandsJson is null ? null : new RawJson(agent.SlashCommandsJson),
                agent.McpServersJson is null ? null : new RawJson(agent.McpServersJson),
                agent.Model)),
            WireJson.Default.AgentStatusFrame);
        foreach (var roomId in await agents.ListRoomsOfAgentAsync(agentId, cancellationToken))
        {
            registry.SendToRoom(roomId, frame);
        }
    }
}
