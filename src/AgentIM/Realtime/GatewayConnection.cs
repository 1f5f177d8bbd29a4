using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace AgentIM.Realtime;

/// <summary>An agent bound to a gateway socket, as the hub needs it on every chunk.</summary>
public sealed record BoundAgent(string Id, string Name, string Type);

/// <summary>A CLI gateway's socket on /ws/gateway, the agents it registered, and its streams in flight.</summary>
public sealed class GatewayConnection(WebSocket socket) : SocketConnection(socket)
{
    public string? UserId { get; private set; }
    public string? SessionId { get; private set; }
    public string? GatewayId { get; private set; }
    public bool IsAuthenticated => UserId is not null;

    public ConcurrentDictionary<string, BoundAgent> Agents { get; } = new();

    /// <summary>Bytes of chunk content seen per reply id, to enforce the 10 MiB stream cap (case B16 g).</summary>
    public ConcurrentDictionary<string, long> StreamBytes { get; } = new();

    public void Authenticate(string userId, string sessionId, string gatewayId)
    {
        UserId = userId;
        SessionId = sessionId;
        GatewayId = gatewayId;
    }
}
