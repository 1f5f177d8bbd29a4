using AgentIM.Infrastructure.Db;

namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    /// <summary>
    /// <c>client:rewind_room</c> (websocket.md §4, behaviour.md §5): a member goes back to one of their own messages.
    /// That message and everything after it is deleted for everyone, each agent of the room is told to reset
    /// (<c>server:rewind_agent</c>), then the room hears <c>server:room_rewound</c>. Every agent must support it.
    /// </summary>
    private async Task HandleRewindAsync(ClientConnection connection, string roomId, string messageId)
    {
        if (!connection.HasJoined(roomId))
        {
            return;
        }

        var (_, role) = await rooms.GetUserRoleAsync(roomId, connection.UserId!, connection.Closed);
        if (role is null)
        {
            SendError(connection, ErrorCodes.NotAMember, "You are not a member of this room");
            return;
        }

        var target = await realtimeStore.FindMessageAsync(messageId, connection.Closed);
        if (target is null || target.RoomId != roomId)
        {
            SendError(connection, ErrorCodes.InvalidMessage, "Message not found in this room");
            return;
        }

        if (target.SenderId != connection.UserId)
        {
            SendError(connection, ErrorCodes.PermissionDenied, "You can only rewind to your own messages");
            return;
        }

        if (target.SenderType != "user")
        {
            SendError(connection, ErrorCodes.PermissionDenied, "Can only rewind to user messages");
            return;
        }

        var agents = await realtimeStore.ListRoomAgentsAsync(roomId, connection.Closed);
        if (agents.FirstOrDefault(a => !a.Capabilities.Contains("rewind")) is { } unable)
        {
            SendError(connection, ErrorCodes.PermissionDenied, $"Agent {unable.Id} does not support rewind");
            return;
        }

        List<string> removed;
        try
        {
            removed = await realtimeStore.RewindAsync(roomId, target.CreatedAt, connection.Closed);
        }
        catch (Exception e) when (e is not OperationCanceledException && !DbErrors.IsUnavailable(e))
        {
            RealtimeLog.ClientFrameFailed(logger, connection.Id, e);
            SendError(connection, ErrorCodes.InternalError, "Failed to rewind room");
            return;
        }

        if (removed.Count == 0)
        {
            // Someone else's rewind took the message first.
            SendError(connection, ErrorCodes.InvalidMessage, "Message not found in this room");
            return;
        }

        foreach (var agent in agents)
        {
            registry.SendToAgent(
                agent.Id, Frames.Serialize(new RewindAgentFrame(agent.Id, roomId, messageId), WireJson.Default.RewindAgentFrame));
        }

        registry.SendToRoom(
            roomId, Frames.Serialize(new RoomRewoundFrame(roomId, messageId, removed, target.Content), WireJson.Default.RoomRewoundFrame));
    }
}
