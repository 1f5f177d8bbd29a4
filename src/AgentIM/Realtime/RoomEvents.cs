using AgentIM.Rooms;

namespace AgentIM.Realtime;

/// <summary>What REST changes to rooms mean for connected sockets (rest-api.md §5).</summary>
public sealed class RoomEvents(ConnectionRegistry registry, RoomStore rooms, RoomAgentsCache agentsCache)
{
    /// <summary>Members were added or removed: the room learns the new member list.</summary>
    public Task MembersChangedAsync(string roomId, CancellationToken cancellationToken)
    {
        agentsCache.Invalidate(roomId);
        return RoomUpdatedAsync(roomId, cancellationToken);
    }

    /// <summary>The room's settings or members changed: <c>server:room_update</c> with the room and all its members.</summary>
    public async Task RoomUpdatedAsync(string roomId, CancellationToken cancellationToken)
    {
        var room = await rooms.GetAsync(roomId, cancellationToken);
        if (room is null)
        {
            return;
        }

        var members = await rooms.ListMembersAsync(roomId, 500, cancellationToken);
        var frame = Frames.Serialize(
            new RoomUpdateFrame(room, members.Select(m => m with { DisplayName = null }).ToList()), WireJson.Default.RoomUpdateFrame);
        registry.SendToRoom(roomId, frame);
    }

    /// <summary>A user left or was removed: their sockets stop receiving the room and are told so.</summary>
    public void UserRemoved(string roomId, string userId)
    {
        registry.EvictFromRoom(userId, roomId);
        registry.SendToUser(userId, Frames.Serialize(new RoomRemovedFrame(roomId), WireJson.Default.RoomRemovedFrame));
    }

    /// <summary>
    /// The room's rows are gone (case B05). Called after the delete committed: the agent cache forgets the room so a
    /// gateway's next frame into it gets ROOM_NOT_FOUND, every subscription is dropped before anyone is told, so no
    /// chunk for the room reaches a client after its <c>server:room_removed</c>.
    /// </summary>
    public void RoomDeleted(string roomId, IEnumerable<string> formerUserIds)
    {
        agentsCache.Invalidate(roomId);
        registry.DropRoom(roomId);
        var frame = Frames.Serialize(new RoomRemovedFrame(roomId), WireJson.Default.RoomRemovedFrame);
        foreach (var userId in formerUserIds.Distinct())
        {
            registry.SendToUser(userId, frame);
        }
    }

    /// <summary>The user cleared the room's history: all their sockets hear of it, nobody else's.</summary>
    public void RoomCleared(string roomId, string userId, DateTime clearedAt) =>
        registry.SendToUser(userId, Frames.Serialize(new RoomClearedFrame(roomId, clearedAt), RoomFramesJson.Default.RoomClearedFrame));
}
