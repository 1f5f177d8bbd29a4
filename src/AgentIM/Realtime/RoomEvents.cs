using AgentIM.Rooms;

namespace AgentIM.Realtime;

/// <summary>What REST changes to rooms mean for connected sockets (rest-api.md §5).</summary>
public sealed class RoomEvents(ConnectionRegistry registry, RoomStore rooms, RoomAgentsCache agentsCache)
{
    /// <summary>Members were added or removed: the room learns the new member list.</summary>
    public async Task MembersChangedAsync(string roomId, CancellationToken cancellationToken)
    {
        agentsCache.Invalidate(roomId);
        var room = await rooms.GetAsync(roomId, cancellationToken);
        if (room is null)
        {
            return;
        }

        var members = await rooms.ListMembersAsync(roomId, 500, cancellationToken);
        var frame = Frames.Serialize(new RoomUpdateFrame(room, members.Select(m => m with { DisplayName = null }).ToList()), WireJson.Default.RoomUpdateFrame);
        registry.SendToRoom(roomId, frame);
    }

    /// <summary>A user left or was removed: their sockets stop receiving the room and are told so.</summary>
    public void UserRemoved(string roomId, string userId)
    {
        registry.EvictFromRoom(userId, roomId);
        registry.SendToUser(userId, Frames.Serialize(new RoomRemovedFrame(roomId), WireJson.Default.RoomRemovedFrame));
    }
}
