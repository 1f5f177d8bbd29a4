using System.Net.WebSockets;

namespace AgentIM.Realtime;

/// <summary>A browser tab's socket on /ws/client and what it has said about itself.</summary>
public sealed class ClientConnection(WebSocket socket) : SocketConnection(socket)
{
    private readonly HashSet<string> _rooms = [];

    /// <summary>The runtime settings in force for the frame being handled (limits change without a restart).</summary>
    public Settings.SettingsSnapshot? Settings { get; set; }

    public string? UserId { get; private set; }
    public string? Username { get; private set; }
    public string? SessionId { get; private set; }
    public bool IsAuthenticated => UserId is not null;

    /// <summary>Auth attempts on this socket and when the next one may come (websocket.md §2 back-off).</summary>
    public int AuthAttempts { get; set; }
    public long NextAuthAllowedAtMs { get; set; }

    public void Authenticate(string userId, string username, string sessionId)
    {
        UserId = userId;
        Username = username;
        SessionId = sessionId;
    }

    public bool HasJoined(string roomId)
    {
        lock (_rooms)
        {
            return _rooms.Contains(roomId);
        }
    }

    public bool AddRoom(string roomId)
    {
        lock (_rooms)
        {
            return _rooms.Add(roomId);
        }
    }

    public bool RemoveRoom(string roomId)
    {
        lock (_rooms)
        {
            return _rooms.Remove(roomId);
        }
    }

    public string[] RoomsSnapshot()
    {
        lock (_rooms)
        {
            return [.. _rooms];
        }
    }
}
