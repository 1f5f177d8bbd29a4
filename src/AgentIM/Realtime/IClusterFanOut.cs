namespace AgentIM.Realtime;

/// <summary>
/// The way out to the other hub nodes (websocket.md §14). <see cref="ConnectionRegistry"/> delivers on this node and
/// hands the same serialized bytes here; the other nodes deliver them to their own sockets only. Nothing here
/// blocks: publications are queued in order and dropped (counted) while Redis is away.
/// </summary>
public interface IClusterFanOut
{
    public void PublishToRoom(string roomId, byte[] frame);

    public void PublishToUser(string userId, byte[] frame);

    public void PublishToAllClients(byte[] frame);

    /// <summary>Sends a frame to an agent bound on another node; false when no other node holds it (or Redis is away).</summary>
    public bool PublishToAgent(string agentId, byte[] frame);

    public void PublishCloseSessions(string userId, string? sessionId, byte[] clientNotice);

    public void PublishEviction(string userId, string roomId);

    public void PublishRoomDropped(string roomId);

    public void AgentBound(string agentId);

    public void AgentUnbound(string agentId);
}
