namespace AgentIM.Realtime;

/// <summary>
/// Tells agents about their rooms with <c>server:room_context</c> (behaviour.md §6.1): on registration, and whenever
/// a feature changes a room's settings or members (call <see cref="RoomChangedAsync"/> after the change is stored).
/// An agent whose gateway is on another node gets the frame through the agent-addressed fan-out.
/// </summary>
public sealed class RoomContexts(ConnectionRegistry registry, RealtimeStore store)
{
    /// <summary>Sends the room's context to the agent, if the agent is connected to this node and the room exists.</summary>
    public async Task SendAsync(string agentId, string roomId, CancellationToken cancellationToken)
    {
        if (registry.GatewayOfAgent(agentId) is null || await store.LoadRoomContextAsync(roomId, cancellationToken) is not { } context)
        {
            return;
        }

        registry.SendToAgent(agentId, Frames.Serialize(new RoomContextFrame(agentId, context), WireJson.Default.RoomContextFrame));
    }

    /// <summary>Sends the room's fresh context to every agent member connected to this node or (with Redis) another.</summary>
    public async Task RoomChangedAsync(string roomId, CancellationToken cancellationToken)
    {
        if (await store.LoadRoomContextAsync(roomId, cancellationToken) is not { } context)
        {
            return;
        }

        foreach (var member in context.Members)
        {
            if (member.Type == "agent")
            {
                // Delivered here, or published to the node holding the agent; dropped when no node holds it.
                var frame = Frames.Serialize(new RoomContextFrame(member.Id, context), WireJson.Default.RoomContextFrame);
                registry.SendToAgent(member.Id, frame);
            }
        }
    }
}
