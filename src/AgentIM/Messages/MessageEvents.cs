using AgentIM.Realtime;

namespace AgentIM.Messages;

/// <summary>What REST changes to messages mean for the sockets joined to a room (websocket.md §5).</summary>
public sealed class MessageEvents(ConnectionRegistry registry)
{
    public void Edited(MessageDto message) =>
        registry.SendToRoom(
            message.RoomId, Frames.Serialize(new MessageEditedFrame(message), MessageFramesJson.Default.MessageEditedFrame));

    public void Deleted(string roomId, string messageId) =>
        registry.SendToRoom(
            roomId, Frames.Serialize(new MessageDeletedFrame(roomId, messageId), MessageFramesJson.Default.MessageDeletedFrame));

    public void ReactionsChanged(string roomId, string messageId, IReadOnlyList<ReactionDto> reactions) =>
        registry.SendToRoom(
            roomId, Frames.Serialize(new ReactionUpdateFrame(roomId, messageId, reactions), MessageFramesJson.Default.ReactionUpdateFrame));

    public void Read(string roomId, string userId, string username, DateTime lastReadAt) =>
        registry.SendToRoom(
            roomId,
            Frames.Serialize(new ReadReceiptFrame(roomId, userId, username, lastReadAt), MessageFramesJson.Default.ReadReceiptFrame));

    /// <summary>A forwarded message reaches its target room like a sent one, but is routed to no agent (rest-api.md #50).</summary>
    public void Forwarded(MessageDto message) =>
        registry.SendToRoom(message.RoomId, Frames.Serialize(new NewMessageFrame(message), WireJson.Default.NewMessageFrame));
}
