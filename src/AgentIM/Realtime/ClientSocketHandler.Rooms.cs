using System.Collections.Concurrent;

namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    private static readonly TimeSpan TypingDebounce = TimeSpan.FromSeconds(1);

    // Last typing notice per user and room; pruned when it grows, entries older than the debounce are useless.
    private readonly ConcurrentDictionary<(string UserId, string RoomId), long> _lastTyping = new();

    private async Task HandleRoomFrameAsync(ClientConnection connection, string type, string roomId)
    {
        switch (type)
        {
            case "client:join_room":
                var (exists, role) = await rooms.GetUserRoleAsync(roomId, connection.UserId!, connection.Closed);
                if (!exists)
                {
                    SendError(connection, ErrorCodes.RoomNotFound, "Room not found");
                }
                else if (role is null)
                {
                    SendError(connection, ErrorCodes.NotAMember, "You are not a member of this room");
                }
                else
                {
                    registry.JoinWithReplay(connection, roomId);
                }

                return;
            case "client:leave_room":
                registry.Leave(connection, roomId);
                return;
            case "client:typing":
                await HandleTypingAsync(connection, roomId);
                return;
        }
    }

    private async Task HandleTypingAsync(ClientConnection connection, string roomId)
    {
        if (!connection.HasJoined(roomId))
        {
            return;
        }

        // With Redis the debounce holds across the user's sockets on every node; without it, on this node.
        if (await sharedCounters.TryMarkTypingAsync(connection.UserId!, roomId, TypingDebounce) is { } shared)
        {
            if (shared)
            {
                var typing = new TypingFrame(roomId, connection.UserId!, connection.Username!);
                registry.SendToRoom(roomId, Frames.Serialize(typing, WireJson.Default.TypingFrame), except: connection);
            }

            return;
        }

        var now = Environment.TickCount64;
        var key = (connection.UserId!, roomId);
        if (_lastTyping.TryGetValue(key, out var last) && now - last < TypingDebounce.TotalMilliseconds)
        {
            return;
        }

        if (_lastTyping.Count > 50_000)
        {
            foreach (var (staleKey, at) in _lastTyping)
            {
                if (now - at >= TypingDebounce.TotalMilliseconds)
                {
                    _lastTyping.TryRemove(staleKey, out _);
                }
            }
        }

        _lastTyping[key] = now;
        var frame = Frames.Serialize(new TypingFrame(roomId, connection.UserId!, connection.Username!), WireJson.Default.TypingFrame);
        registry.SendToRoom(roomId, frame, except: connection);
    }
}
